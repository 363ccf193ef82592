using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>The manifest's <c>auth</c> for conformance: the run's <see cref="TokenSource"/>, with the login body's field names read from the contract.</summary>
internal static class Authenticator
{
    /// <summary>
    /// The credentials of <paramref name="auth"/>, and the login request (for the evidence of a failure) when it is a
    /// login, with the url it went to (the service's, or that of the component the login names: <c>at</c>).
    /// </summary>
    public static async Task<(Credentials Credentials, ProbeRequest? Login, Uri LoginUrl)> AuthenticateAsync(
        ServiceAuth? auth, Uri baseUrl, OpenApiDocument document, CheckContext context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tokens = TokenSource.Of(context);
        if (auth is not LoginAuth login)
        {
            return (await tokens.CredentialsAsync(auth, baseUrl, timeout, cancellationToken), null, baseUrl);
        }

        var loginUrl = tokens.LoginUrl(login, baseUrl) ?? baseUrl;
        var fields = loginUrl == baseUrl ? Fields(document, login) : tokens.LoginFields is { } other ? await other(login, loginUrl, cancellationToken) : null;
        var credentials = await tokens.CredentialsAsync(login, baseUrl, timeout, cancellationToken, fields);
        return (credentials, LoginRequest(login, fields, "login from the manifest's auth"), loginUrl);
    }

    /// <summary>
    /// The sign-in request of <paramref name="login"/> (a manifest path, sent under the url of the component it signs in
    /// at): its user and password in the body under the login's field names, else <paramref name="fields"/>. A probe
    /// that signs in as someone else, or with a wrong password, passes the login <c>with</c> those.
    /// </summary>
    public static ProbeRequest LoginRequest(LoginAuth login, (string User, string Password)? fields, string purpose) => new()
    {
        Method = login.Method,
        Template = login.Path,
        Path = login.Path,
        Body = login.Body(fields),
        ContentType = "application/json",
        Purpose = purpose,
    };

    /// <summary>
    /// The login body's field names from the login operation's schema in the contract of the component it signs in at
    /// (<paramref name="signsInAt"/>), as the run's token source reads them; null when that component has no contract that loads.
    /// </summary>
    public static async Task<(string User, string Password)?> FieldsAsync(HttpComponent? signsInAt, LoginAuth login, ContractDocuments documents, CancellationToken cancellationToken) =>
        signsInAt?.OpenApi is not null && (await documents.LoadAsync(signsInAt.OpenApi.Path, cancellationToken)).Document is { } document
            ? Fields(document, login)
            : null;

    /// <summary>
    /// <paramref name="request"/> with the credentials' headers, query parameters and cookies. A credential header
    /// replaces the request's of the same name: a contract that declares the session's anti-CSRF header or the API key as
    /// a header parameter (@nestjs/swagger's <c>@ApiHeader</c>) gives it a made-up value, which the service refuses. The
    /// header an invalid request leaves out or breaks on purpose (<see cref="ProbeRequest.TestedHeader"/>) stays as the
    /// request has it: absent, or wrong.
    /// </summary>
    public static ProbeRequest On(this Credentials credentials, ProbeRequest request)
    {
        static bool Same(string a, string? b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);
        var headers = credentials.Headers.Where(h => !Same(h.Key, request.TestedHeader)).ToList();
        return request with
        {
            Headers = [.. headers, .. request.Headers.Where(h => !headers.Exists(c => Same(c.Key, h.Key)))],
            Query = [.. request.Query, .. credentials.Query],
            Cookies = [.. request.Cookies, .. credentials.Cookies],
        };
    }

    /// <summary>
    /// For the run's <see cref="TokenSource"/>: the login field names of the service at a base URL, from its contract
    /// (each document loaded once); null when no service there has a contract that loads.
    /// </summary>
    public static Func<LoginAuth, Uri, CancellationToken, Task<(string User, string Password)?>> FieldsFromContracts(SystemModel system)
    {
        var documents = new ContractDocuments();
        return async (login, baseUrl, cancellationToken) =>
        {
            var service = system.OfKind<ServiceComponent>().FirstOrDefault(s => s.OpenApi is not null && s.Url?.AbsoluteUri == baseUrl.AbsoluteUri);
            if (service?.OpenApi is null)
            {
                return null;
            }

            var loaded = await documents.LoadAsync(service.OpenApi.Path, cancellationToken);
            return loaded.Document is { } document ? Fields(document, login) : null;
        };
    }

    /// <summary>The path of the document's first server (<c>/api/v1</c>), or nothing.</summary>
    private static string ServerPath(OpenApiDocument document) => ContractBase.Prefix(new Uri("http://localhost/"), document);

    /// <summary>The user and password field names of the login body: from its schema when the document has it.</summary>
    internal static (string User, string Password) Fields(OpenApiDocument document, LoginAuth login)
    {
        // The login is a manifest path: under a server's path (/api/v1/auth/token) the contract writes it without it.
        var path = document.Paths?.ContainsKey(login.Path) == true ? login.Path : ContractBase.Strip(login.Path, ServerPath(document));
        var operation = document.Paths?.GetValueOrDefault(path)?.Operations?
            .FirstOrDefault(o => o.Key.Method.Equals(login.Method, StringComparison.OrdinalIgnoreCase)).Value;
        var schema = operation?.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
        var names = schema is null ? [] : Diff.SchemaView.Of(schema).Properties.Keys.ToList();
        var user = names.FirstOrDefault(n => n.Equals("username", StringComparison.OrdinalIgnoreCase) || n.Equals("user", StringComparison.OrdinalIgnoreCase))
            ?? names.FirstOrDefault(n => n.Contains("user", StringComparison.OrdinalIgnoreCase) || n.Contains("login", StringComparison.OrdinalIgnoreCase)
                || n.Contains("email", StringComparison.OrdinalIgnoreCase))
            ?? "username";
        var password = names.FirstOrDefault(n => n.Contains("pass", StringComparison.OrdinalIgnoreCase)) ?? "password";
        return (user, password);
    }
}
