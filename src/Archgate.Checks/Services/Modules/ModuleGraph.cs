using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Archgate.Checks.Services.Modules;

/// <summary>
/// The references between a monolith's module assemblies, as compiled: each module's <c>AssemblyRef</c> table read with
/// System.Reflection.Metadata (nothing is loaded or run), kept when it names another declared module.
/// </summary>
internal sealed class ModuleGraph
{
    private ModuleGraph(IReadOnlyDictionary<string, IReadOnlyList<string>> references, IReadOnlyDictionary<string, string> missing)
    {
        References = references;
        Missing = missing;
    }

    /// <summary>Each module found, and the declared modules it references (ordinal order).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> References { get; }

    /// <summary>Declared modules whose assembly could not be read, with why.</summary>
    public IReadOnlyDictionary<string, string> Missing { get; }

    public static ModuleGraph Read(string folder, IReadOnlyCollection<string> modules)
    {
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        var set = modules.ToHashSet(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var path = Path.Combine(folder, module + ".dll");
            if (!File.Exists(path))
            {
                missing[module] = $"{path} does not exist";
                continue;
            }

            try
            {
                using var stream = File.OpenRead(path);
                using var pe = new PEReader(stream);
                if (!pe.HasMetadata)
                {
                    missing[module] = $"{path} is not a .NET assembly";
                    continue;
                }

                var reader = pe.GetMetadataReader();
                references[module] = [.. reader.AssemblyReferences
                    .Select(h => reader.GetString(reader.GetAssemblyReference(h).Name))
                    .Where(n => set.Contains(n) && n != module)
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                missing[module] = $"{path} cannot be read: {ex.Message}";
            }
        }

        return new ModuleGraph(references, missing);
    }

    /// <summary>The cycles among the modules (strongly connected components of more than one module), each as a path back to its start.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = 0;
        var indices = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<string>>();

        void Visit(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in References.GetValueOrDefault(v) ?? [])
            {
                if (!indices.TryGetValue(w, out var seen))
                {
                    if (References.ContainsKey(w))
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == indices[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    result.Add(PathThrough(component.ToHashSet(StringComparer.Ordinal)));
                }
            }
        }

        foreach (var v in References.Keys.Order(StringComparer.Ordinal))
        {
            if (!indices.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }

    /// <summary>The shortest cycle through the smallest name of a strongly connected set: <c>A → B → A</c>.</summary>
    private List<string> PathThrough(HashSet<string> members)
    {
        var start = members.Order(StringComparer.Ordinal).First();
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var next in References[current].Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var at = current; at != start; at = parent[at])
                    {
                        path.Insert(1, at);
                    }

                    path.Add(start);
                    return path;
                }

                if (parent.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [start, start]; // unreachable for a strongly connected set
    }
}
