using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>Step 9's <c>security</c> section.</summary>
    private sealed partial class SecuritySectionReader(SectionContext context) : SectionReader(context)
    {
        public SecurityPolicy ReadSecurity(YamlMappingNode root, IReadOnlyList<Component> components, PactSettings pact)
        {
            // Where an identity of the old spelling signs in: the first login of an auth definition, else a service's,
            // else any other (the old contracts.auth, a database probe's).
            var logins = namedAuth.Values
                .Concat(components.OfType<HttpComponent>().Select(c => c.Auth))
                .Append(pact.Auth)
                .Concat(components.OfType<DatabaseComponent>().SelectMany(d => d.Database.Probes).Select(p => p.Login))
                .OfType<LoginAuth>()
                .ToList();
            var security = r.Mapping(YamlReader.Get(root, "security"), "security");
            if (security is null)
            {
                return new SecurityPolicy();
            }

            r.AllowKeys(security, "security", "protected", "identities", "adminOnly", "roles", "safe", "rules", "configPaths", "audit", "signingKey");
            var identities = new List<ServiceAuth>();
            var index = 0;
            foreach (var item in r.Sequence(YamlReader.Get(security, "identities"), "security.identities")?.Children ?? [])
            {
                var path = $"security.identities[{index++}]";
                var identity = item is YamlMappingNode map && YamlReader.Get(map, "login") is null
                    ? ReadOldIdentity(map, path, logins)
                    : ReadAuthReference(item, path);
                if (identity is not null)
                {
                    identities.Add(identity);
                }
            }

            return new SecurityPolicy
            {
                Protected = ReadRoutePatterns(security, "protected"),
                Identities = identities,
                AdminOnly = ReadRoutePatterns(security, "adminOnly"),
                Roles = ReadRoles(security),
                Safe = r.Bool(YamlReader.Get(security, "safe"), "security.safe") ?? false,
                Rules = ReadRuleOverrides(r.Mapping(YamlReader.Get(security, "rules"), "security.rules")),
                ConfigPaths = ReadConfigPaths(security),
                Audit = ReadAudit(security),
                SigningKey = ReadSigningKey(security),
            };
        }

        /// <summary>
        /// <c>security.protected</c> or <c>security.adminOnly</c>: each item a path pattern (<c>/admin/**</c>), or a
        /// method, one space and a path pattern (<c>POST /events</c>), the method written upper case.
        /// </summary>
        private List<string> ReadRoutePatterns(YamlMappingNode security, string key)
        {
            var result = new List<string>();
            var index = 0;
            foreach (var item in r.Sequence(YamlReader.Get(security, key), $"security.{key}")?.Children ?? [])
            {
                var path = $"security.{key}[{index++}]";
                if (RoutePattern(item, path, r.String(item, path)) is { } pattern)
                {
                    result.Add(pattern);
                }
            }

            return result;
        }

        /// <summary>
        /// <c>security.roles</c>: a mapping from a route pattern, as <c>security.adminOnly</c>'s, to the roles that may
        /// call what it matches (<c>POST /claims/*/approve: [approver, admin]</c>).
        /// </summary>
        private List<RoleRule> ReadRoles(YamlMappingNode security)
        {
            var result = new List<RoleRule>();
            foreach (var (key, value) in r.Mapping(YamlReader.Get(security, "roles"), "security.roles")?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var text = (key as YamlScalarNode)?.Value;
                var path = $"security.roles.{text}";
                var pattern = RoutePattern(key, path, text);
                var roles = new List<string>();
                var index = 0;
                foreach (var item in r.Sequence(value, path)?.Children ?? [])
                {
                    if (r.String(item, $"{path}[{index++}]") is { Length: > 0 } role)
                    {
                        roles.Add(role);
                    }
                }

                if (pattern is not null && roles.Count == 0)
                {
                    r.Error(value, path, "no role is named", $"list the roles that may call it: {text}: [approver]");
                }
                else if (pattern is not null)
                {
                    result.Add(new RoleRule(pattern, roles));
                }
            }

            return result;
        }

        /// <summary>A route pattern: a path (<c>/admin/**</c>), or a method, one space and a path (<c>POST /events</c>), the method upper-cased; null, with an error, otherwise.</summary>
        private string? RoutePattern(YamlNode node, string path, string? text)
        {
            var parts = text?.Split(' ');
            if (parts is [var route] && route.StartsWith('/'))
            {
                return route;
            }

            if (parts is [var method, var methodRoute] && HttpMethods.Contains(method.ToUpperInvariant(), StringComparer.Ordinal) && methodRoute.StartsWith('/'))
            {
                return $"{method.ToUpperInvariant()} {methodRoute}";
            }

            if (text is not null)
            {
                r.Error(node, path, $"'{text}' is not a path pattern",
                    $"write '/admin/**' or 'POST /events': a path starting with '/', for every method, or one of {string.Join(", ", HttpMethods)}, one space and the path");
            }

            return null;
        }

        private Dictionary<string, RuleOverride> ReadRuleOverrides(YamlMappingNode? rules)
        {
            var result = new Dictionary<string, RuleOverride>(StringComparer.Ordinal);
            foreach (var (key, value) in rules?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var id = (key as YamlScalarNode)?.Value ?? string.Empty;
                var path = $"security.rules.{id}";
                if (!RuleId().IsMatch(id))
                {
                    r.Error(key, path, $"'{id}' is not a rule id", "write a rule id of docs/rules.md, for example AG9001");
                    continue;
                }

                var action = r.String(value, path);
                RuleAction? parsed = action switch
                {
                    "ignore" => RuleAction.Ignore,
                    "warn" => RuleAction.Warn,
                    "fail" => RuleAction.Fail,
                    _ => null,
                };
                if (parsed is null)
                {
                    if (action is not null)
                    {
                        r.Error(value, path, $"unknown action '{action}'", "write ignore, warn or fail");
                    }

                    continue;
                }

                result[id] = new RuleOverride(parsed.Value, new SourceLocation(displayName, (int)key.Start.Line, (int)key.Start.Column));
            }

            return result;
        }

        /// <summary>
        /// The old spelling of an identity, <c>{ user, password }</c>: it signs in through the first login of the
        /// manifest (an <c>auth</c> definition's, else a service's, else any other, such as the old <c>contracts.auth</c>). Loads with a warning.
        /// </summary>
        private LoginAuth? ReadOldIdentity(YamlMappingNode map, string path, List<LoginAuth> logins)
        {
            r.AllowKeys(map, path, "user", "password");
            var user = r.String(r.Required(map, path, "user"), $"{path}.user");
            var password = r.String(r.Required(map, path, "password"), $"{path}.password");
            var login = logins.Count > 0 ? logins[0] : null;
            if (login is null)
            {
                r.Error(map, path, "this identity has no login operation",
                    $"define it in the top-level 'auth' section with its login (auth: {{ {user ?? "ann"}: {{ login: POST /auth/login, user: ..., password: ... }} }}) and list its name here");
                return null;
            }

            r.Warn(map, path, "an identity written as { user, password } is deprecated",
                $"define it once in the top-level 'auth' section (auth: {{ {user ?? "ann"}: {{ login: {login.Method} {login.Path}, user: ..., password: ... }} }}) and list its name here");
            return user is null || password is null ? null : login with { User = user, Password = password, Name = user, Roles = [] };
        }

        [System.Text.RegularExpressions.GeneratedRegex("^AG[0-9]{4}$")]
        private static partial System.Text.RegularExpressions.Regex RuleId();
    }
}
