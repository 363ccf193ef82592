using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Archgate.Checks.Contracts;
using Archgate.Cli.Rendering;
using Archgate.Protocol;
using Archgate.Reporting;
using Archgate.Checks.Contracts.Diff;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// <c>archgate diff OLD NEW</c>: breaking changes between two versions of an OpenAPI contract;
/// <c>archgate diff --batch pairs.txt</c>: many pairs in one process.
/// </summary>
internal sealed class DiffCommand : AsyncCommand<DiffCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[OLD]")]
        [Description("The contract as it was (OpenAPI 3.0 or 3.1, YAML or JSON).")]
        public string? Old { get; init; }

        [CommandArgument(1, "[NEW]")]
        [Description("The contract as it is now.")]
        public string? New { get; init; }

        [CommandOption("--batch <FILE>")]
        [Description("Compare every pair listed in FILE (one 'OLD NEW' per line, paths relative to FILE, # for comments) in this one process; prints a table with each pair's counts and time.")]
        public string? Batch { get; init; }

        [CommandOption("--fail-on <LEVEL>")]
        [Description("Exit with 4 (NO-GO) when a change at or above this level is found: ERR or WARN.")]
        [DefaultValue("ERR")]
        public string FailOn { get; init; } = "ERR";

        [CommandOption("--format <FORMAT>")]
        [Description("Output format: md, json, junit, github (workflow commands and the job summary) or gitlab (code quality JSON).")]
        [DefaultValue("md")]
        public string Format { get; init; } = "md";

        [CommandOption("-o|--output <FILE>")]
        [Description("Write the report to FILE instead of standard output (with --batch: a folder, one report per pair).")]
        public string? Output { get; init; }

        internal ChangeLevel FailOnLevel => ChangeLevels.TryParse(FailOn, out var level) ? level : ChangeLevel.Err;

        internal DiffReportFormat ReportFormat => Format.ToLowerInvariant() switch
        {
            "json" => DiffReportFormat.Json,
            "junit" => DiffReportFormat.Junit,
            _ => DiffReportFormat.Markdown,
        };

        internal string Extension => ReportFormat switch
        {
            DiffReportFormat.Json => "json",
            DiffReportFormat.Junit => "junit.xml",
            _ => "md",
        };

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (!(ChangeLevels.TryParse(FailOn, out var level) && level != ChangeLevel.Info))
            {
                errors.Add($"--fail-on must be ERR or WARN, not '{FailOn}'.");
            }

            if (Format.ToLowerInvariant() is not ("md" or "markdown" or "json" or "junit" or "github" or "gitlab"))
            {
                errors.Add($"--format must be md, json, junit, github or gitlab, not '{Format}'.");
            }

            if (Batch is not null && CiOutput.IsCi(Format.ToLowerInvariant()))
            {
                errors.Add($"--format {Format} annotates one pair: run 'archgate diff OLD NEW --format {Format}' per pair.");
            }

            var pair = !string.IsNullOrEmpty(Old) && !string.IsNullOrEmpty(New);
            if (Batch is null && !pair)
            {
                errors.Add("give two contracts (archgate diff OLD NEW) or a list of pairs (archgate diff --batch pairs.txt).");
            }
            else if (Batch is not null && (Old is not null || New is not null))
            {
                errors.Add("--batch takes its pairs from the file: leave OLD and NEW out.");
            }

            return errors.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join(Environment.NewLine, errors));
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Batch is { } batch)
        {
            return await RunBatchAsync(batch, settings, cancellationToken);
        }

        var (report, exit) = await CompareAsync(settings.Old!, settings.New!, settings, cancellationToken);
        if (report is null)
        {
            return exit;
        }

        if (CiOutput.IsCi(settings.Format.ToLowerInvariant()))
        {
            var findings = CiFindingsOf(report, settings.New!);
            var outcome = exit == ExitCodes.NoGo ? $"changes at or above {settings.FailOn} (exit {exit})" : $"no change at or above {settings.FailOn} (exit {exit})";
            await CiOutput.WriteAsync(settings.Format.ToLowerInvariant(), $"archgate diff: {settings.New}", outcome, [], findings, settings.Output, settings.New!);
            return exit;
        }

        if (settings.Output is { Length: > 0 } output)
        {
            await using var file = new StreamWriter(output, append: false);
            await DiffReportWriter.WriteAsync(report, settings.ReportFormat, file, settings.FailOnLevel, cancellationToken);
        }
        else
        {
            await DiffReportWriter.WriteAsync(report, settings.ReportFormat, Console.Out, settings.FailOnLevel, cancellationToken);
        }

        return exit;
    }

    /// <summary>Loads and compares one pair. A document that cannot be parsed is exit 2; problems of validity are warnings of the report.</summary>
    private static async Task<(DiffReport? Report, int Exit)> CompareAsync(string oldPath, string newPath, Settings settings, CancellationToken cancellationToken)
    {
        var loads = await Task.WhenAll(
            ContractDocumentLoader.LoadLenientAsync(oldPath, cancellationToken),
            ContractDocumentLoader.LoadLenientAsync(newPath, cancellationToken));
        if (loads.Any(l => l.Document is null))
        {
            foreach (var error in loads.SelectMany(l => l.Errors))
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            await Console.Error.WriteLineAsync("hint: the file must be an OpenAPI 3.0/3.1 document in YAML or JSON; fix the syntax (or the path) and run archgate diff again.");
            return (null, ExitCodes.InvalidManifest);
        }

        var report = ContractDiff.Compare(loads[0].Document!, loads[1].Document!) with
        {
            Warnings = [.. loads[0].Warnings, .. loads[1].Warnings],
        };
        return (report, report.HasAtOrAbove(settings.FailOnLevel) ? ExitCodes.NoGo : ExitCodes.Go);
    }

    private static async Task<int> RunBatchAsync(string batch, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(batch))
        {
            await Console.Error.WriteLineAsync($"error: {batch}: file not found");
            await Console.Error.WriteLineAsync("hint: --batch takes a text file with one 'OLD NEW' pair of contract paths per line.");
            return ExitCodes.InvalidManifest;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(batch))!;
        var pairs = new List<(int Line, string Old, string New)>();
        var lines = await File.ReadAllLinesAsync(batch, cancellationToken);
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                await Console.Error.WriteLineAsync($"error: {batch}:{i + 1}: expected 'OLD NEW', found '{text}'");
                await Console.Error.WriteLineAsync("hint: one pair per line, two paths separated by spaces (paths with spaces are not supported).");
                return ExitCodes.InvalidManifest;
            }

            pairs.Add((i + 1, Path.Combine(folder, parts[0]), Path.Combine(folder, parts[1])));
        }

        if (settings.Output is { Length: > 0 } output)
        {
            Directory.CreateDirectory(output);
        }

        var worst = ExitCodes.Go;
        await Console.Out.WriteLineAsync("| # | old | new | ERR | WARN | INFO | warnings | ms | exit |\n|---|---|---|---|---|---|---|---|---|");
        for (var n = 0; n < pairs.Count; n++)
        {
            var (line, oldPath, newPath) = pairs[n];
            var watch = Stopwatch.StartNew();
            var (report, exit) = await CompareAsync(oldPath, newPath, settings, cancellationToken);
            var text = report is null ? null : DiffReportWriter.Render(report, settings.ReportFormat, settings.FailOnLevel);
            var ms = watch.Elapsed.TotalMilliseconds;
            if (text is not null && settings.Output is { Length: > 0 } dir)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, $"{n + 1:000}.{settings.Extension}"), text, cancellationToken);
            }

            worst = exit == ExitCodes.InvalidManifest || worst == ExitCodes.InvalidManifest ? ExitCodes.InvalidManifest : Math.Max(worst, exit);
            var counts = report is null ? "- | - | - | -" : string.Create(CultureInfo.InvariantCulture,
                $"{report.Count(ChangeLevel.Err)} | {report.Count(ChangeLevel.Warn)} | {report.Count(ChangeLevel.Info)} | {report.Warnings.Count}");
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"| {line} | {Path.GetFileName(oldPath)} | {Path.GetFileName(newPath)} | {counts} | {ms:F1} | {exit} |"));
        }

        return worst;
    }

    /// <summary>Each change as a CI finding on the new document: errors as high, warnings as medium, the rest as info.</summary>
    private static List<CiFinding> CiFindingsOf(DiffReport report, string newPath) =>
        report.Changes
            .Select(c => new CiFinding(c.RuleId, c.Level switch { ChangeLevel.Err => Severity.High, ChangeLevel.Warn => Severity.Medium, _ => Severity.Info }, c.Message)
            {
                File = Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.GetFullPath(newPath)).Replace('\\', '/'),
                Subject = string.Join(" ", new[] { c.Operation, c.Location }.Where(s => !string.IsNullOrEmpty(s))),
            })
            .OrderByDescending(f => f.Severity)
            .ToList();
}
