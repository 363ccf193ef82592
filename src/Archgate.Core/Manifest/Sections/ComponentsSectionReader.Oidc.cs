using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] OidcKeys = ["issuer", "clientId", "redirectUri", "user", "to", "path", "scope", "skew", "expiryWait"];

    private sealed partial class ComponentsSectionReader
    {
        private OidcSpec? ReadOidc(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, OidcKeys);
            var issuer = ReadUrl(r.Required(map, path, "issuer", "the provider's issuer, for example 'issuer: http://127.0.0.1:7301/oidc'"), $"{path}.issuer");
            if (issuer is not null && (issuer.Query.Length > 0 || issuer.Fragment.Length > 0))
            {
                r.Error(YamlReader.Get(map, "issuer")!, $"{path}.issuer", "an issuer has no query or fragment (OpenID Connect Discovery 4.1)", "write the issuer exactly as its id tokens carry it in 'iss'");
            }

            var clientId = r.String(r.Required(map, path, "clientId", "the client id the caller expects as the id tokens' audience, for example 'clientId: shop-web'"), $"{path}.clientId");
            var redirectNode = r.Required(map, path, "redirectUri", "the client's registered redirect URI, for example 'redirectUri: http://127.0.0.1:7001/signin/callback'");
            var redirectText = r.String(redirectNode, $"{path}.redirectUri");
            Uri? redirect = null;
            if (redirectText is not null && (!Uri.TryCreate(redirectText, UriKind.Absolute, out redirect) || redirect.Fragment.Length > 0))
            {
                r.Error(redirectNode!, $"{path}.redirectUri", $"'{redirectText}' is not an absolute URI without a fragment", "write the redirect URI registered for the client");
                redirect = null;
            }

            var user = r.String(r.Required(map, path, "user", "the provider's test user, sent as login_hint, for example 'user: ann'"), $"{path}.user");
            var to = r.String(r.Required(map, path, "to", "the component that takes the provider's id tokens, for example 'to: api'"), $"{path}.to");
            var target = r.String(r.Required(map, path, "path", "where it takes them (POST { idToken, nonce }), for example 'path: /auth/oidc'"), $"{path}.path");
            if (target is not null && !target.StartsWith('/'))
            {
                r.Error(YamlReader.Get(map, "path")!, $"{path}.path", $"'{target}' is not a path", $"write '/{target}'");
            }

            var scope = r.String(YamlReader.Get(map, "scope"), $"{path}.scope");
            if (scope is not null && !scope.Split(' ').Contains("openid"))
            {
                r.Error(YamlReader.Get(map, "scope")!, $"{path}.scope", "an OpenID Connect scope includes 'openid'", $"write 'scope: openid {scope}'");
            }

            var skew = r.Duration(YamlReader.Get(map, "skew"), $"{path}.skew");
            var expiryWait = r.Duration(YamlReader.Get(map, "expiryWait"), $"{path}.expiryWait");
            if (expiryWait is { } w && (w <= TimeSpan.Zero || w > TimeSpan.FromMinutes(10)))
            {
                r.Error(YamlReader.Get(map, "expiryWait")!, $"{path}.expiryWait", $"expiryWait must be above 0 and at most 10m", "write how long the expired-token case may wait, for example 'expiryWait: 60s' (the default)");
                expiryWait = null;
            }
            return issuer is null || clientId is null || redirect is null || user is null || to is null || target is null
                ? null
                : new OidcSpec(issuer, clientId, redirect, user, to, target)
                {
                    Scope = scope ?? "openid profile email",
                    Skew = skew ?? TimeSpan.FromMinutes(5),
                    ExpiryWait = expiryWait,
                    Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column),
                };
        }
    }
}
