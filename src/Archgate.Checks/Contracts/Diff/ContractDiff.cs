using System.Text.RegularExpressions;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// Breaking-change detection between two versions of an OpenAPI contract (the <c>archgate diff</c> command).
/// Load the documents with <see cref="ContractDocumentLoader"/>; the rules are in <see cref="DiffRules"/>.
/// </summary>
public static partial class ContractDiff
{
    /// <summary>Compares <paramref name="oldDocument"/> with <paramref name="newDocument"/>; every change is judged by one rule.</summary>
    public static DiffReport Compare(OpenApiDocument oldDocument, OpenApiDocument newDocument)
    {
        ArgumentNullException.ThrowIfNull(oldDocument);
        ArgumentNullException.ThrowIfNull(newDocument);
        var sink = new ChangeSink();
        var oldPaths = Index(oldDocument);
        var newPaths = Index(newDocument);

        foreach (var (template, (oldPath, oldItem)) in oldPaths)
        {
            if (!newPaths.TryGetValue(template, out var match))
            {
                foreach (var (method, operation) in Operations(oldItem))
                {
                    var rule = operation.Deprecated ? DiffRules.PathRemovedDeprecated : DiffRules.PathRemoved;
                    sink.Add(rule, Name(method, oldPath), "path", $"path {oldPath} was removed{(operation.Deprecated ? " (it was deprecated)" : "")}", oldPath, null);
                }

                continue;
            }

            var (newPath, newItem) = match;
            if (!string.Equals(oldPath, newPath, StringComparison.Ordinal))
            {
                foreach (var (method, _) in Operations(newItem).Where(n => Operations(oldItem).Any(o => o.Method == n.Method)))
                {
                    sink.Add(DiffRules.PathParameterRenamed, Name(method, newPath), "path", $"path {oldPath} was renamed to {newPath}", oldPath, newPath);
                }
            }

            var newOperations = Operations(newItem).ToDictionary(o => o.Method, o => o.Operation);
            foreach (var (method, oldOperation) in Operations(oldItem))
            {
                var name = Name(method, newPath);
                if (!newOperations.TryGetValue(method, out var newOperation))
                {
                    var rule = oldOperation.Deprecated ? DiffRules.OperationRemovedDeprecated : DiffRules.OperationRemoved;
                    sink.Add(rule, name, "operation", $"operation {name} was removed{(oldOperation.Deprecated ? " (it was deprecated)" : "")}", name, null);
                    continue;
                }

                new OperationComparer(sink, name, oldDocument, newDocument)
                    .Compare(new OperationSide(oldPath, oldItem, oldOperation), new OperationSide(newPath, newItem, newOperation));
            }

            foreach (var (method, _) in Operations(newItem).Where(n => Operations(oldItem).All(o => o.Method != n.Method)))
            {
                var name = Name(method, newPath);
                sink.Add(DiffRules.OperationAdded, name, "operation", $"operation {name} was added", null, name);
            }
        }

        foreach (var (template, (newPath, newItem)) in newPaths.Where(p => !oldPaths.ContainsKey(p.Key)))
        {
            foreach (var (method, _) in Operations(newItem))
            {
                sink.Add(DiffRules.PathAdded, Name(method, newPath), "path", $"path {newPath} was added", null, newPath);
            }
        }

        return new DiffReport(sink.Changes.ToList());
    }

    /// <summary>Paths keyed by their template with parameter names blanked, so that renaming <c>{id}</c> is not a removal.</summary>
    private static Dictionary<string, (string Path, IOpenApiPathItem Item)> Index(OpenApiDocument document)
    {
        var index = new Dictionary<string, (string, IOpenApiPathItem)>(StringComparer.Ordinal);
        foreach (var (path, item) in document.Paths ?? [])
        {
            var key = Template(path);
            index.TryAdd(index.ContainsKey(key) ? path : key, (path, item));
        }

        return index;
    }

    internal static string Template(string path) => PathParameter().Replace(path.TrimEnd('/') is { Length: > 0 } p ? p : "/", "{}");

    internal static IReadOnlyList<string> PathParameterNames(string path) =>
        PathParameter().Matches(path).Select(m => m.Value[1..^1]).ToList();

    private static IEnumerable<(HttpMethod Method, OpenApiOperation Operation)> Operations(IOpenApiPathItem item) =>
        (item.Operations ?? []).Select(kv => (kv.Key, kv.Value));

    private static string Name(HttpMethod method, string path) => $"{method.Method.ToUpperInvariant()} {path}";

    [GeneratedRegex(@"\{[^}/]*\}")]
    private static partial Regex PathParameter();
}
