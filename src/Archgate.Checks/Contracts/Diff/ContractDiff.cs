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
    /// <param name="oldDocument">The contract as it was.</param>
    /// <param name="newDocument">The contract as it is now.</param>
    /// <param name="time">Today's date, against which sunset dates (<c>x-sunset</c>) are judged; the system clock when null.</param>
    public static DiffReport Compare(OpenApiDocument oldDocument, OpenApiDocument newDocument, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(oldDocument);
        ArgumentNullException.ThrowIfNull(newDocument);
        var today = DateOnly.FromDateTime((time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        var sink = new ChangeSink();
        var oldPaths = Index(oldDocument);
        var newPaths = Index(newDocument);

        foreach (var (template, (oldPath, oldItem)) in oldPaths)
        {
            if (!newPaths.TryGetValue(template, out var match))
            {
                foreach (var (method, operation) in Operations(oldItem))
                {
                    var (rule, why) = Removal(operation, today, DiffRules.PathRemoved, DiffRules.PathRemovedDeprecated, DiffRules.PathRemovedBeforeSunset);
                    sink.Add(rule, Name(method, oldPath), "path", $"path {oldPath} was removed{why}", oldPath, null);
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
                    var (rule, why) = Removal(oldOperation, today, DiffRules.OperationRemoved, DiffRules.OperationRemovedDeprecated, DiffRules.OperationRemovedBeforeSunset);
                    sink.Add(rule, name, "operation", $"operation {name} was removed{why}", name, null);
                    continue;
                }

                new OperationComparer(sink, name, oldDocument, newDocument, today)
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

        DocumentComparer.Compare(sink, oldDocument, newDocument);
        return new DiffReport(sink.Changes.ToList());
    }

    /// <summary>
    /// The rule for removing an operation: without deprecation, with it, or before the sunset date it announced
    /// (a sunset that is not a date cannot be judged, so it is an error of its own).
    /// </summary>
    private static (DiffRule Rule, string Why) Removal(OpenApiOperation operation, DateOnly today, DiffRule undeprecated, DiffRule deprecated, DiffRule beforeSunset)
    {
        if (!operation.Deprecated)
        {
            return (undeprecated, "");
        }

        var sunset = Sunset.Of(operation.Extensions);
        return sunset switch
        {
            { IsInvalid: true } => (DiffRules.RemovedSunsetInvalid, $" (it was deprecated, with x-sunset '{sunset.Text}' that is not a date)"),
            _ when sunset.IsAfter(today) => (beforeSunset, $" before its sunset date {sunset.Text}"),
            _ => (deprecated, " (it was deprecated)"),
        };
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
