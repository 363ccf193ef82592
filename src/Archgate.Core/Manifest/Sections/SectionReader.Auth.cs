using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] AuthKinds = ["login", "clientCredentials", "apiKey", "basic", "bearer"];

    private static readonly string[] LoginMethods = ["POST", "GET", "PUT", "PATCH"];

    [GeneratedRegex(@"\{([^{}/]+)\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex AuthName();

    private abstract partial class SectionReader
    {
        /// <summary>
        /// An identity: the name of a definition of the top-level <c>auth</c> section, or a definition written in
        /// place (an inline login is the old spelling and warns).
        /// </summary>
        protected ServiceAuth? ReadAuthReference(YamlNode? node, string path)
        {
            if (node is YamlScalarNode scalar)
            {
                return AuthByName(scalar, path);
            }

            var auth = ReadAuthDefinition(node, path);
            if (auth is LoginAuth)
            {
                r.Warn(node!, path, "a login written in place is deprecated",
                    "define the identity once in the top-level 'auth' section (auth: { ann: { login: POST /auth/login, user: ..., password: ... } }) and write 'auth: ann' here");
            }

            return auth;
        }

        /// <summary>The definition named by <paramref name="node"/>, or null after an error.</summary>
        protected ServiceAuth? AuthByName(YamlScalarNode node, string path)
        {
            var name = r.String(node, path);
            if (name is null)
            {
                return null;
            }

            if (namedAuth.TryGetValue(name, out var auth))
            {
                return auth;
            }

            r.Error(node, path, $"unknown identity '{name}'",
                namedAuth.Count == 0
                    ? $"define it in the top-level 'auth' section, for example auth: {{ {name}: {{ login: POST /auth/login, user: {name}, password: ${{PASSWORD}} }} }}"
                    : Suggest.DidYouMean(name, namedAuth.Keys.Order(StringComparer.Ordinal), "identities in 'auth': "));
            return null;
        }

        protected ServiceAuth? ReadAuthDefinition(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "login", "at", "user", "password", "token", "fields", "refresh", "logout", "roles", "clientCredentials", "apiKey", "basic", "bearer");
            var kinds = AuthKinds.Where(k => YamlReader.Get(map, k) is not null).ToList();
            if (kinds.Count != 1)
            {
                r.Error(map, path, kinds.Count == 0 ? "no authentication given" : $"more than one authentication given ({string.Join(", ", kinds)})",
                    "give exactly one of 'login: \"POST /auth/login\"' (with user and password), 'clientCredentials: { token: POST /oauth/token, clientId, clientSecret }', 'apiKey: { header, value }', 'basic: { user, password }' or 'bearer: TOKEN'");
                return null;
            }

            if (kinds[0] != "login")
            {
                foreach (var key in new[] { "at", "user", "password", "token", "fields", "refresh", "logout" })
                {
                    if (YamlReader.Get(map, key) is not null)
                    {
                        var keyNode = map.Children.Keys.First(k => k is YamlScalarNode s && s.Value == key);
                        r.Error(keyNode, $"{path}.{key}", $"'{key}' belongs to 'login'",
                            kinds[0] == "basic" ? "for HTTP basic write 'basic: { user: NAME, password: SECRET }'" : $"remove it, or use 'login' instead of '{kinds[0]}'");
                    }
                }
            }

            ServiceAuth? auth = kinds[0] switch
            {
                "login" => ReadLogin(map, path),
                "clientCredentials" => ReadClientCredentials(YamlReader.Get(map, "clientCredentials")!, $"{path}.clientCredentials"),
                "apiKey" => ReadApiKey(YamlReader.Get(map, "apiKey")!, $"{path}.apiKey"),
                "basic" => ReadBasic(YamlReader.Get(map, "basic")!, $"{path}.basic"),
                _ => r.String(YamlReader.Get(map, "bearer"), $"{path}.bearer") is { Length: > 0 } token
                    ? new BearerAuth(token)
                    : EmptySecret(YamlReader.Get(map, "bearer")!, $"{path}.bearer"),
            };
            var roles = r.StringList(YamlReader.Get(map, "roles"), $"{path}.roles").Select(v => v.Value).ToList();
            return auth is null || roles.Count == 0 ? auth : auth with { Roles = roles };
        }

        /// <summary>An operation written as <c>METHOD /path</c>, or null after an error.</summary>
        protected AuthCall? ReadAuthCall(YamlNode? node, string path, string what, string example)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            var parts = text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && LoginMethods.Contains(parts[0].ToUpperInvariant()) && parts[1].StartsWith('/'))
            {
                return new AuthCall(parts[0].ToUpperInvariant(), parts[1]);
            }

            r.Error(node!, path, $"invalid {what} operation '{text}'", $"write the method and the path of the {what} call, for example '{example}'");
            return null;
        }

        protected LoginAuth? ReadLogin(YamlMappingNode map, string path)
        {
            var call = ReadAuthCall(YamlReader.Get(map, "login"), $"{path}.login", "login", "POST /auth/login");
            var user = r.String(r.Required(map, path, "user", "the user to log in as, for example 'user: ${APP_USER:-ann}'"), $"{path}.user");
            var password = r.String(r.Required(map, path, "password", "the password, preferably from the environment: 'password: ${APP_PASSWORD}'"), $"{path}.password");
            var tokenNode = YamlReader.Get(map, "token");
            var token = r.String(tokenNode, $"{path}.token");
            if (token is not null && !IsJsonPath(token))
            {
                r.Error(tokenNode!, $"{path}.token", $"invalid JSON path '{token}'",
                    "write where the token is in the login response, for example '$.accessToken' or '$.data.token'");
                token = null;
            }

            var fields = r.Mapping(YamlReader.Get(map, "fields"), $"{path}.fields");
            string? userField = null, passwordField = null;
            if (fields is not null)
            {
                r.AllowKeys(fields, $"{path}.fields", "user", "password");
                userField = r.String(YamlReader.Get(fields, "user"), $"{path}.fields.user");
                passwordField = r.String(YamlReader.Get(fields, "password"), $"{path}.fields.password");
            }

            // The component is checked once every section is read (CrossReferenceValidator): it must be declared, with a url.
            var at = r.String(YamlReader.Get(map, "at"), $"{path}.at");
            var refresh = ReadAuthCall(YamlReader.Get(map, "refresh"), $"{path}.refresh", "refresh", "POST /auth/refresh");
            var logout = ReadAuthCall(YamlReader.Get(map, "logout"), $"{path}.logout", "logout", "POST /auth/logout");
            if (call is null || user is null || password is null)
            {
                return null;
            }

            var login = new LoginAuth(call.Method, call.Path, user, password, token)
            {
                UserField = userField,
                PasswordField = passwordField,
                At = at,
                Refresh = refresh,
                Logout = logout,
            };
            return login;
        }

        /// <summary><c>clientCredentials: { token: POST /oauth/token, clientId, clientSecret, scope, at, clientAuth: basic|post }</c>.</summary>
        protected ClientCredentialsAuth? ReadClientCredentials(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "token", "clientId", "clientSecret", "scope", "at", "clientAuth");
            var token = ReadAuthCall(r.Required(map, path, "token", "the token endpoint, for example 'token: POST /oauth/token'"), $"{path}.token", "token", "POST /oauth/token");
            var clientId = r.String(r.Required(map, path, "clientId"), $"{path}.clientId");
            var clientSecret = r.String(r.Required(map, path, "clientSecret", "preferably from the environment: 'clientSecret: ${CLIENT_SECRET}'"), $"{path}.clientSecret");
            var clientAuthNode = YamlReader.Get(map, "clientAuth");
            var clientAuth = r.String(clientAuthNode, $"{path}.clientAuth");
            if (clientAuth is not (null or "basic" or "post"))
            {
                r.Error(clientAuthNode!, $"{path}.clientAuth", $"unknown client authentication '{clientAuth}'",
                    "write 'basic' (HTTP basic, the default, RFC 6749 2.3.1) or 'post' (client_id and client_secret in the form)");
            }

            return token is null || clientId is null || clientSecret is null ? null : new ClientCredentialsAuth(token, clientId, clientSecret)
            {
                Scope = r.String(YamlReader.Get(map, "scope"), $"{path}.scope"),
                At = r.String(YamlReader.Get(map, "at"), $"{path}.at"),
                SecretInBody = clientAuth == "post",
            };
        }

        protected ApiKeyAuth? ReadApiKey(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            // apiKey: { header: X-Api-Key, value } or apiKey: { name: key, in: header|query|cookie, value }.
            r.AllowKeys(map, path, "header", "name", "in", "value");
            var headerNode = YamlReader.Get(map, "header");
            var nameNode = YamlReader.Get(map, "name");
            var inNode = YamlReader.Get(map, "in");
            if ((headerNode is null) == (nameNode is null))
            {
                r.Error(map, path, headerNode is null ? "no key name given" : "both 'header' and 'name' given",
                    "write 'header: X-Api-Key' for a header, or 'name: key' with 'in: query' (or 'in: cookie')");
                r.String(YamlReader.Get(map, "value"), $"{path}.value");
                return null;
            }

            var location = ApiKeyLocation.Header;
            if (inNode is not null)
            {
                var where = r.String(inNode, $"{path}.in");
                if (headerNode is not null)
                {
                    r.Error(inNode, $"{path}.in", "'in' goes with 'name', not with 'header'", "write 'name: X-Api-Key' and 'in: header', or leave 'in' out");
                }
                else if (where is not null)
                {
                    ApiKeyLocation? parsed = where switch
                    {
                        "header" => ApiKeyLocation.Header,
                        "query" => ApiKeyLocation.Query,
                        "cookie" => ApiKeyLocation.Cookie,
                        _ => null,
                    };
                    if (parsed is null)
                    {
                        r.Error(inNode, $"{path}.in", $"invalid key location '{where}'", "write 'in: header', 'in: query' or 'in: cookie'");
                    }

                    location = parsed ?? ApiKeyLocation.Header;
                }
            }

            var keyPath = headerNode is null ? $"{path}.name" : $"{path}.header";
            var name = r.String(headerNode ?? nameNode, keyPath);
            var value = r.String(r.Required(map, path, "value", "the key, preferably from the environment: 'value: ${API_KEY}'"), $"{path}.value");
            if (name is not null && !IsToken(name))
            {
                r.Error((headerNode ?? nameNode)!, keyPath, headerNode is null ? $"invalid key name '{name}'" : $"invalid header name '{name}'",
                    headerNode is null ? "a query parameter or cookie name has letters, digits, '-' and '_', for example 'api_key'" : "a header name has letters, digits and '-', for example 'X-Api-Key'");
                return null;
            }

            return name is null || value is null ? null : new ApiKeyAuth(name, value) { In = location };
        }

        protected BasicAuth? ReadBasic(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "user", "password");
            var user = r.String(r.Required(map, path, "user"), $"{path}.user");
            var password = r.String(r.Required(map, path, "password", "preferably from the environment: 'password: ${APP_PASSWORD}'"), $"{path}.password");
            return user is null || password is null ? null : new BasicAuth(user, password);
        }

        protected ServiceAuth? EmptySecret(YamlNode node, string path)
        {
            r.Error(node, path, "the bearer token is empty", "give the token, preferably from the environment: 'bearer: ${API_TOKEN}'");
            return null;
        }

        protected Dictionary<string, IReadOnlyDictionary<string, string>> ReadFixtures(YamlNode? node, string path)
        {
            var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            var map = r.Mapping(node, path);
            foreach (var (keyNode, valueNode) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var template = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var at = $"{path}.{template}";
                var names = PathParameter().Matches(template).Select(m => m.Groups[1].Value).ToList();
                if (!template.StartsWith('/') || names.Count == 0)
                {
                    r.Error(keyNode, at, $"'{template}' is not a path template with parameters",
                        "key fixtures by a path of the OpenAPI document with its parameters, for example \"/products/{id}\": { id: 1 }");
                    continue;
                }

                var values = r.StringMap(valueNode, at);
                foreach (var unknown in values.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)))
                {
                    var unknownNode = ((YamlMappingNode)valueNode).Children.Keys.First(k => k is YamlScalarNode s && s.Value == unknown);
                    r.Error(unknownNode, $"{at}.{unknown}", $"'{unknown}' is not a parameter of '{template}'",
                        Suggest.DidYouMean(unknown, names, "its parameters: "));
                }

                result[template] = values;
            }

            return result;
        }

        protected static bool IsJsonPath(string path) =>
            path == "$" || (path.StartsWith("$.", StringComparison.Ordinal) && path.Length > 2 && !path.EndsWith('.') && !path.Contains("..", StringComparison.Ordinal));

        protected static bool IsToken(string header) => header.Length > 0 && header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }
}
