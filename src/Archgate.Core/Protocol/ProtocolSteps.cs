namespace Archgate.Protocol;

/// <summary>
/// The protocol has ten steps, numbered 1-10; what each one is lives in the step table (<see cref="ProtocolDefinition"/>).
/// This class only parses step selections.
/// </summary>
public static class ProtocolSteps
{
    /// <summary>Number of steps.</summary>
    public const int Count = 10;

    /// <summary>
    /// Parses a step list such as <c>1-4,8</c>. Returns null and an error message when it is malformed.
    /// </summary>
    public static IReadOnlySet<int>? Parse(string text, out string? error)
    {
        error = null;
        var result = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(part[..dash], out var from) && int.TryParse(part[(dash + 1)..], out var to) && from >= 1 && to <= Count && from <= to)
            {
                for (var i = from; i <= to; i++)
                {
                    result.Add(i);
                }
            }
            else if (int.TryParse(part, out var single) && single is >= 1 and <= Count)
            {
                result.Add(single);
            }
            else
            {
                error = $"invalid step '{part}': use numbers from 1 to {Count}, ranges like 1-4, separated by commas";
                return null;
            }
        }

        if (result.Count == 0)
        {
            error = "no step selected";
            return null;
        }

        return result;
    }
}
