using System.Collections.Concurrent;
using System.Text;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>What the provider answers; <paramref name="Bytes"/>, when set, is the body instead of <paramref name="Body"/>.</summary>
public sealed record ProviderAnswer(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, byte[]? Bytes = null);

/// <summary>
/// A pact provider on a <see cref="LocalHttpServer"/>: each request is answered by a handler, and recorded,
/// so tests see exactly what the verifier sent (state changes, tokens).
/// </summary>
public sealed class PactProviderServer : IDisposable
{
    private readonly LocalHttpServer _server;
    private readonly ConcurrentQueue<Received> _requests = new();

    public PactProviderServer(Func<Received, ProviderAnswer> handler) =>
        _server = new LocalHttpServer(async context =>
        {
            var request = await LocalHttpServer.ReadAsync(context);
            _requests.Enqueue(request);
            var answer = handler(request);
            await LocalHttpServer.WriteAsync(context, answer.Status, answer.Bytes ?? Encoding.UTF8.GetBytes(answer.Body), answer.ContentType, answer.Headers);
        });

    /// <summary>A provider that answers every request except state changes with the same body.</summary>
    public static PactProviderServer Answering(string body, int status = 200) =>
        new(r => r.PathAndQuery.StartsWith("/_pact/state", StringComparison.Ordinal) ? new ProviderAnswer(200, string.Empty) : new ProviderAnswer(status, body));

    public int Port => _server.Port;

    public Uri Url => _server.Url;

    public IReadOnlyList<Received> Requests => [.. _requests];

    public void Dispose() => _server.Dispose();
}
