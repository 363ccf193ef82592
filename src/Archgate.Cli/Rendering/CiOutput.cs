using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Cli.Rendering;

/// <summary>
/// '--format github' and '--format gitlab' of run, scan and diff: GitHub workflow commands on standard output plus the job
/// summary in $GITHUB_STEP_SUMMARY, or GitLab's code quality report in a file.
/// </summary>
internal static class CiOutput
{
    /// <summary>Where '--format gitlab' writes when no file is given; a pipeline names it under artifacts:reports:codequality.</summary>
    public const string GitLabFile = "gl-code-quality-report.json";

    public static bool IsCi(string? format) => format is "github" or "gitlab";

    /// <summary>Writes the findings in <paramref name="format"/>; <paramref name="output"/> is the gitlab report's file (default <see cref="GitLabFile"/>).</summary>
    public static async Task WriteAsync(string format, string title, string outcome, IEnumerable<(string, string, string)> rows, IReadOnlyList<CiFinding> findings, string? output, string defaultPath)
    {
        if (format == "gitlab")
        {
            var file = output ?? GitLabFile;
            await File.WriteAllTextAsync(file, GitLabCodeQuality.Json(findings, defaultPath));
            await Console.Error.WriteLineAsync($"wrote {file} ({findings.Count} issue(s), GitLab code quality)");
            return;
        }

        foreach (var line in GitHubAnnotations.Commands(findings))
        {
            Console.Out.WriteLine(line);
        }

        if (GitHubAnnotations.AppendSummary(GitHubAnnotations.Summary(title, outcome, rows, findings)))
        {
            await Console.Error.WriteLineAsync("appended the job summary to $GITHUB_STEP_SUMMARY");
        }
    }

    /// <summary>A run's annotations and summary: its criteria as the summary's table, each finding at its component's line of the manifest.</summary>
    public static Task WriteRunAsync(string format, RunRecord run, string? manifestPath, int exitCode, string? output)
    {
        string? text = null;
        string? relative = null;
        if (manifestPath is not null && File.Exists(manifestPath))
        {
            text = File.ReadAllText(manifestPath);
            relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), manifestPath).Replace('\\', '/');
        }

        var findings = CiFindings.FromRun(run, text, relative);
        var rows = run.Criteria.Select(c => (c.Description, c.Status.ToString(), $"{c.Observed} / {c.Target}"));
        var verdict = run.Awaiting is not null ? "awaiting sign-off" : run.Verdict?.ToString() ?? run.State.ToString();
        return WriteAsync(format, $"archgate: {run.System}", $"{verdict} (exit {exitCode})", rows, findings, output, relative ?? "archgate.yaml");
    }
}
