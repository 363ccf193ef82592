namespace Archgate.Planning;

/// <summary>Graph algorithms over "component depends on components" maps.</summary>
public static class DependencyGraph
{
    /// <summary>
    /// Every elementary cycle reachable by depth-first search, each reported once, as a path that starts and
    /// ends with the same name (<c>api -> payments -> api</c>), rotated to start at its smallest name.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> FindCycles(IReadOnlyDictionary<string, IReadOnlyList<string>> dependsOn)
    {
        var cycles = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on stack, 2 done
        var stack = new List<string>();

        void Visit(string node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var next in dependsOn.TryGetValue(node, out var deps) ? deps : [])
            {
                if (!dependsOn.ContainsKey(next))
                {
                    continue;
                }

                if (state.GetValueOrDefault(next) == 1)
                {
                    var start = stack.IndexOf(next);
                    var cycle = stack.Skip(start).ToList();
                    var min = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                    var rotated = cycle.Skip(min).Concat(cycle.Take(min)).ToList();
                    rotated.Add(rotated[0]);
                    if (seen.Add(string.Join("\u0000", rotated)))
                    {
                        cycles.Add(rotated);
                    }
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }

        foreach (var node in dependsOn.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }

        return cycles;
    }
}
