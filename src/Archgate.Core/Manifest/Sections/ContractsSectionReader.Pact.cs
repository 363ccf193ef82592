using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class ContractsSectionReader
    {
        private PactSettings ReadPactSettings(YamlMappingNode contracts, HashSet<string> names)
        {
            var providers = new Dictionary<string, string>(StringComparer.Ordinal);
            var providerMap = r.Mapping(YamlReader.Get(contracts, "providers"), "contracts.providers");
            foreach (var (keyNode, valueNode) in providerMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var pactName = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var component = r.String(valueNode, $"contracts.providers.{pactName}");
                if (component is null)
                {
                    continue;
                }

                if (!names.Contains(component))
                {
                    r.Error(valueNode, $"contracts.providers.{pactName}", $"unknown component '{component}'",
                        Suggest.DidYouMean(component, names.Order(StringComparer.Ordinal), "declared components: "));
                    continue;
                }

                providers[pactName] = component;
            }

            return new PactSettings
            {
                Providers = providers,
                StateChange = ReadStateChange(contracts),
                Auth = ReadPactAuth(contracts),
                Messages = ReadMessageProvider(contracts),
            };
        }

        private PactMessageProvider? ReadMessageProvider(YamlMappingNode contracts)
        {
            var map = r.Mapping(YamlReader.Get(contracts, "messages"), "contracts.messages");
            if (map is null)
            {
                return null;
            }

            const string path = "contracts.messages";
            r.AllowKeys(map, path, "url");
            var url = UrlOrPath(r.Required(map, path, "url", "the message provider endpoint: an absolute URL, or a path on the provider such as /_pact/messages"), $"{path}.url", "/_pact/messages");
            return url is null ? null : new PactMessageProvider(url);
        }

        private PactStateChange? ReadStateChange(YamlMappingNode contracts)
        {
            var map = r.Mapping(YamlReader.Get(contracts, "stateChange"), "contracts.stateChange");
            if (map is null)
            {
                return null;
            }

            const string path = "contracts.stateChange";
            r.AllowKeys(map, path, "url", "body", "teardown");
            var url = UrlOrPath(r.Required(map, path, "url", "the provider-state endpoint: an absolute URL, or a path on the provider such as /_pact/state"), $"{path}.url", "/_pact/state");
            var body = r.Bool(YamlReader.Get(map, "body"), $"{path}.body");
            var teardown = r.Bool(YamlReader.Get(map, "teardown"), $"{path}.teardown");
            return url is null ? null : new PactStateChange(url, body ?? true, teardown ?? true);
        }

        /// <summary>
        /// <c>contracts.auth</c>: an identity's name; the old spelling <c>{ login: /path, username, password, token }</c>
        /// still loads, with a warning.
        /// </summary>
        private ServiceAuth? ReadPactAuth(YamlMappingNode contracts)
        {
            const string path = "contracts.auth";
            var node = YamlReader.Get(contracts, "auth");
            // The old spelling names 'username', or its 'login' is a bare path or URL rather than 'POST /path'.
            if (node is not YamlMappingNode map
                || (YamlReader.Get(map, "username") is null && !(YamlReader.Get(map, "login") is YamlScalarNode { Value: { } op } && !op.Contains(' ', StringComparison.Ordinal))))
            {
                return node is null ? null : ReadAuthReference(node, path);
            }

            r.AllowKeys(map, path, "login", "username", "password", "token");
            var login = UrlOrPath(r.Required(map, path, "login", "the provider's login endpoint, for example /auth/login"), $"{path}.login", "/auth/login");
            var username = r.String(r.Required(map, path, "username", "the user whose token replaces the pact's example token"), $"{path}.username");
            var password = r.String(r.Required(map, path, "password", "use ${VAR} to keep it out of the manifest, for example ${SHOP_PASSWORD:-demo}"), $"{path}.password");
            var token = r.String(YamlReader.Get(map, "token"), $"{path}.token");
            if (token is { Length: 0 })
            {
                r.Error(YamlReader.Get(map, "token")!, $"{path}.token", "the token field is empty", "name the login response's field that holds the token, for example accessToken");
            }

            r.Warn(map, path, "'contracts.auth' with login, username and password is deprecated",
                $"define the identity once in the top-level 'auth' section (auth: {{ {username ?? "ann"}: {{ login: POST {login ?? "/auth/login"}, user: ..., password: ..., token: $.{(string.IsNullOrEmpty(token) ? "accessToken" : token)} }} }}) and write 'auth: {username ?? "ann"}' here");
            if (login is null || username is null || password is null)
            {
                return null;
            }

            var auth = new LoginAuth("POST", login, username, password, "$." + (string.IsNullOrEmpty(token) ? "accessToken" : token));
            return auth;
        }

        /// <summary>An absolute http(s) URL on an allowed host, or a path starting with '/' (on the provider's URL).</summary>
        private string? UrlOrPath(YamlNode? node, string path, string example)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (text.StartsWith('/'))
            {
                return text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                r.Error(node!, path, $"invalid URL '{Redact.Url(text)}'",
                    $"write a path on the provider's URL such as {example}, or an absolute http or https URL");
                return null;
            }

            return ReadUrl(node, path)?.AbsoluteUri;
        }
    }
}
