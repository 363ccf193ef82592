using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>Writes a finished <see cref="RunRecord"/> in one format. Reporters read the record and nothing else.</summary>
public interface IReporter
{
    /// <summary>Format name used by <c>--format</c>: <c>json</c>, <c>md</c>, <c>junit</c>.</summary>
    string Name { get; }

    /// <summary>File name inside the run folder.</summary>
    string FileName { get; }

    /// <summary>Writes the report.</summary>
    Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken);
}

/// <summary>The reporters Archgate ships, and writing them all to a run folder.</summary>
public static class Reporters
{
    /// <summary>Every reporter, in the order they are written.</summary>
    public static IReadOnlyList<IReporter> Default { get; } = [new JsonReporter(), new MarkdownReporter(), new HtmlReporter(), new JUnitReporter()];

    /// <summary>The reporter for a <c>--format</c> value, or null.</summary>
    public static IReporter? Find(string name) => Default.FirstOrDefault(r => r.Name == name);

    /// <summary>Writes every default report into <paramref name="directory"/>; returns the paths written.</summary>
    public static Task<IReadOnlyList<string>> WriteAllAsync(RunRecord run, string directory, CancellationToken cancellationToken) =>
        WriteAllAsync(run, directory, Default, cancellationToken);

    /// <summary>Writes every one of <paramref name="reporters"/> into <paramref name="directory"/>; returns the paths written.</summary>
    public static async Task<IReadOnlyList<string>> WriteAllAsync(RunRecord run, string directory, IReadOnlyList<IReporter> reporters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reporters);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var reporter in reporters)
        {
            var path = Path.Combine(directory, reporter.FileName);
            // Write to a temporary file and move it, so a crash never leaves half a report behind.
            var temp = path + ".tmp";
            await using (var stream = File.Create(temp))
            {
                await reporter.WriteAsync(run, stream, cancellationToken);
            }

            File.Move(temp, path, overwrite: true);
            written.Add(path);
        }

        return written;
    }
}
