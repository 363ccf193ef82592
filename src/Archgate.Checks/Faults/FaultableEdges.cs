using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Faults;

/// <summary>An edge a check can inject a fault into, and how: Archgate's own proxy or a proxy on a Toxiproxy server.</summary>
/// <param name="Edge">The edge.</param>
/// <param name="Via">Which proxy (for evidence): <c>archgate proxy at http://127.0.0.1:PORT</c> or <c>toxiproxy NAME</c>.</param>
/// <param name="Inject">Adds a toxic; disposing the result removes it.</param>
internal sealed record FaultableEdge(Edge Edge, string Via, Func<Toxic, CancellationToken, Task<IAsyncDisposable>> Inject)
{
    /// <summary>
    /// Whether the caller's traffic has gone through this proxy at all (a connection since the system started): Archgate's
    /// proxy counts them; a Toxiproxy proxy gives no count, so false. A caller that never used it reaches the dependency
    /// another way, and a fault here says nothing of what it sees. <value>false</value>.
    /// </summary>
    public Func<bool> Carried { get; init; } = () => false;
}

/// <summary>The edges of the run that faults can be injected into: Archgate's proxies first, then the manifest's Toxiproxy proxies.</summary>
internal static class FaultableEdges
{
    public static IReadOnlyList<FaultableEdge> For(CheckContext context)
    {
        var result = new List<FaultableEdge>();
        if (context.Edges is EdgeProxies proxies)
        {
            foreach (var (edge, proxy) in proxies.All)
            {
                result.Add(new FaultableEdge(edge, $"archgate proxy at {proxy.Address}", (toxic, _) => Task.FromResult<IAsyncDisposable>(new Removal(proxy.Add(toxic))))
                {
                    Carried = () => proxy.Counters.ConnectionCount > 0,
                });
            }
        }

        if (context.System.Toxiproxy is { } server)
        {
            var journal = new ToxiproxyJournal(JournalPath(context.OutputDirectory));
            var client = new ToxiproxyClient(context.Http, server.Api, journal);
            foreach (var spec in context.System.Edges.Where(e => e.ToxiproxyProxy is not null && result.All(r => r.Edge != e.Edge)))
            {
                result.Add(new FaultableEdge(spec.Edge, $"toxiproxy {spec.ToxiproxyProxy}", async (toxic, ct) =>
                {
                    await CleanOnceAsync(client, journal, context, ct);
                    return await client.AddAsync(spec.ToxiproxyProxy!, toxic, ct);
                }));
            }
        }

        return result;
    }

    /// <summary>
    /// The Toxiproxy journal of the run store (beside the runs folder, as the component logs are): shared by every run
    /// and resume, so whichever process comes next undoes what a killed one left.
    /// </summary>
    public static string JournalPath(string outputDirectory) =>
        Path.GetFullPath(Path.Combine(outputDirectory, "..", "..", "toxiproxy-faults.jsonl"));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> Cleaned = new(StringComparer.Ordinal);

    /// <summary>Before this process's first fault on a Toxiproxy server, the leftovers of earlier processes are undone (once; again after a failure).</summary>
    private static async Task CleanOnceAsync(ToxiproxyClient client, ToxiproxyJournal journal, CheckContext context, CancellationToken ct)
    {
        var key = $"{journal.Path}|{context.System.Toxiproxy!.Api}";
        var cleaning = Cleaned.GetOrAdd(key, _ => new Lazy<Task>(async () =>
        {
            foreach (var undone in await client.CleanLeftoversAsync(ct))
            {
                context.Activity?.Report($"toxiproxy: {undone} (left by an earlier, killed run)");
            }
        })).Value;
        try
        {
            await cleaning;
        }
        catch
        {
            Cleaned.TryRemove(key, out _);
            throw;
        }
    }

    private sealed class Removal(IDisposable handle) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
