using System.ComponentModel;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Diff;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary><c>archgate diff OLD NEW</c>: breaking changes between two versions of an OpenAPI contract.</summary>
internal sealed class DiffCommand : AsyncCommand<DiffCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "<OLD>")]
        [Description("The contract as it was (OpenAPI 3.0 or 3.1, YAML or JSON).")]
        public string Old { get; init; } = "";

        [CommandArgument(1, "<NEW>")]
        [Description("The contract as it is now.")]
        public string New { get; init; } = "";

        [CommandOption("--fail-on <LEVEL>")]
        [Description("Exit with 4 (NO-GO) when a change at or above this level is found: ERR or WARN.")]
        [DefaultValue("ERR")]
        public string FailOn { get; init; } = "ERR";

        [CommandOption("--format <FORMAT>")]
        [Description("Output format: md, json or junit.")]
        [DefaultValue("md")]
        public string Format { get; init; } = "md";

        [CommandOption("-o|--output <FILE>")]
        [Description("Write the report to FILE instead of standard output.")]
        public string? Output { get; init; }

        internal ChangeLevel FailOnLevel => ChangeLevels.TryParse(FailOn, out var level) ? level : ChangeLevel.Err;

        internal DiffReportFormat ReportFormat => Format.ToLowerInvariant() switch
        {
            "json" => DiffReportFormat.Json,
            "junit" => DiffReportFormat.Junit,
            _ => DiffReportFormat.Markdown,
        };

        public override ValidationResult Validate()
        {
            var errors = new List<string>();
            if (!(ChangeLevels.TryParse(FailOn, out var level) && level != ChangeLevel.Info))
            {
                errors.Add($"--fail-on must be ERR or WARN, not '{FailOn}'.");
            }

            if (Format.ToLowerInvariant() is not ("md" or "markdown" or "json" or "junit"))
            {
                errors.Add($"--format must be md, json or junit, not '{Format}'.");
            }

            return errors.Count == 0 ? ValidationResult.Success() : ValidationResult.Error(string.Join(Environment.NewLine, errors));
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var loads = await Task.WhenAll(
            ContractDocumentLoader.LoadAsync(settings.Old, cancellationToken),
            ContractDocumentLoader.LoadAsync(settings.New, cancellationToken));
        var errors = loads.SelectMany(l => l.Errors).ToList();
        if (errors.Count > 0 || loads.Any(l => l.Document is null))
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            await Console.Error.WriteLineAsync("hint: fix the contract (or the path) so that it is a valid OpenAPI 3.0/3.1 document, then run archgate diff again.");
            return ExitCodes.InvalidManifest;
        }

        var report = ContractDiff.Compare(loads[0].Document!, loads[1].Document!);
        if (settings.Output is { Length: > 0 } output)
        {
            await using var file = new StreamWriter(output, append: false);
            await DiffReportWriter.WriteAsync(report, settings.ReportFormat, file, settings.FailOnLevel, cancellationToken);
        }
        else
        {
            await DiffReportWriter.WriteAsync(report, settings.ReportFormat, Console.Out, settings.FailOnLevel, cancellationToken);
        }

        return report.HasAtOrAbove(settings.FailOnLevel) ? ExitCodes.NoGo : ExitCodes.Go;
    }
}
