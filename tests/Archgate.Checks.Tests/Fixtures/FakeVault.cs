using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A HashiCorp Vault KV version 2 engine as its HTTP API answers: <c>GET /v1/MOUNT/data/PATH[?version=N]</c> with the
/// <c>X-Vault-Token</c> header (403 <c>permission denied</c> without the right one, or without the namespace when one is
/// set), 404 with <c>{"errors":[]}</c> for a path never written, 404 with the version's metadata for a deleted version,
/// and the secret under <c>data.data</c> beside its <c>data.metadata</c>. On 127.0.0.1, a free port.
/// </summary>
public sealed class FakeVault : IDisposable
{
    private readonly LocalHttpServer _server;
    private readonly ConcurrentDictionary<string, List<Dictionary<string, string>?>> _secrets = new(StringComparer.Ordinal);

    public FakeVault(string token, string mount = "secret", string? @namespace = null)
    {
        Token = token;
        Mount = mount;
        Namespace = @namespace;
        _server = new LocalHttpServer(AnswerAsync);
    }

    public string Token { get; }

    public string Mount { get; }

    public string? Namespace { get; }

    public Uri Url => _server.Url;

    /// <summary>Every request's method, path and query, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Writes a new version of the secret at <paramref name="path"/> (under the mount, without <c>data/</c>).</summary>
    public void Put(string path, Dictionary<string, string> data) => _secrets.GetOrAdd(path, _ => []).Add(new Dictionary<string, string>(data));

    /// <summary>Soft-deletes version <paramref name="version"/> (1-based) of <paramref name="path"/>.</summary>
    public void Delete(string path, int version) => _secrets[path][version - 1] = null;

    public void Dispose() => _server.Dispose();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.HttpMethod} {request.RawUrl}");
        var prefix = $"/v1/{Mount}/data/";
        var path = request.Url!.AbsolutePath;
        if (request.Headers["X-Vault-Token"] != Token || (Namespace is not null && request.Headers["X-Vault-Namespace"] != Namespace))
        {
            await WriteAsync(context, 403, new { errors = new[] { "permission denied" } });
            return;
        }

        if (request.HttpMethod != "GET" || !path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await WriteAsync(context, 404, new { errors = Array.Empty<string>() });
            return;
        }

        var name = Uri.UnescapeDataString(path[prefix.Length..]);
        if (!_secrets.TryGetValue(name, out var versions))
        {
            await WriteAsync(context, 404, new { errors = Array.Empty<string>() });
            return;
        }

        var asked = request.QueryString["version"];
        var version = asked is null ? versions.Count : int.Parse(asked, System.Globalization.CultureInfo.InvariantCulture);
        if (version < 1 || version > versions.Count)
        {
            await WriteAsync(context, 404, new { errors = Array.Empty<string>() });
            return;
        }

        var data = versions[version - 1];
        var metadata = new
        {
            created_time = "2026-12-01T10:00:00.000000Z",
            custom_metadata = (object?)null,
            deletion_time = data is null ? "2026-12-02T10:00:00.000000Z" : string.Empty,
            destroyed = false,
            version,
        };
        await WriteAsync(context, data is null ? 404 : 200, new
        {
            request_id = Guid.NewGuid().ToString(),
            lease_id = string.Empty,
            renewable = false,
            lease_duration = 0,
            data = new { data, metadata },
            wrap_info = (object?)null,
            warnings = (object?)null,
            auth = (object?)null,
        });
    }

    private static Task WriteAsync(HttpListenerContext context, int status, object body) =>
        LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)), "application/json");
}
