using System.Collections.Concurrent;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts;

/// <summary>
/// The OpenAPI documents of one run, each loaded once and shared by the checks that read it (the document
/// check and live conformance), so they never disagree about whether a document loads.
/// </summary>
internal sealed class ContractDocuments
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ContractLoadResult>>> _loaded = new(StringComparer.Ordinal);

    /// <summary>The document at <paramref name="path"/>, loaded on the first call.</summary>
    public Task<ContractLoadResult> LoadAsync(string path, CancellationToken cancellationToken)
    {
        // Loaded without the caller's token, so one cancelled caller does not leave a cancelled load behind.
        var entry = _loaded.GetOrAdd(Path.GetFullPath(path), _ => new Lazy<Task<ContractLoadResult>>(() => ContractDocumentLoader.LoadAsync(path, CancellationToken.None)));
        return entry.Value.WaitAsync(cancellationToken);
    }

    /// <summary>For the checks driven by a service's contract: they apply when the service declares one.</summary>
    public static Applicability Declared(HttpComponent service) =>
        service.OpenApi is not null ? Applicability.Yes : Applicability.No($"{service.Name} declares no OpenAPI document");
}
