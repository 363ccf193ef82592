using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Cli.Rendering;

/// <summary>Where <c>report</c> and <c>scan --format</c> write a run's report: standard output, or a file named on stderr.</summary>
internal static class ReportOutput
{
    public static async Task WriteAsync(IReporter reporter, RunRecord run, string? output, CancellationToken cancellationToken)
    {
        if (output is null)
        {
            await using var stdout = Console.OpenStandardOutput();
            await reporter.WriteAsync(run, stdout, cancellationToken);
            return;
        }

        await using (var file = File.Create(output))
        {
            await reporter.WriteAsync(run, file, cancellationToken);
        }

        await Console.Error.WriteLineAsync($"wrote {output}");
    }
}
