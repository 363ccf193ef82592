using System.ComponentModel;
using Archgate.Cli.Rendering;
using Archgate.Protocol;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";

        [CommandOption("--out <DIR>")]
        [Description("Folder for the reports. Default: .archgate/runs/<run-id>")]
        public string? Out { get; init; }

        [CommandOption("--steps <LIST>")]
        [Description("Steps to run, for example 1-4,8. Default: all ten")]
        public string? Steps { get; init; }

        [CommandOption("--up")]
        [Description("Start the components that have a 'run' section first, and stop them afterwards")]
        public bool Up { get; init; }

        [CommandOption("--follow")]
        [Description("With --up: show the components' logs, prefixed with their names")]
        public bool Follow { get; init; }

        [CommandOption("--keep-state")]
        [Description("When a step of 5-10 fails: run the rollback commands but leave the databases as the run left them (their snapshots stay in the run folder), for debugging")]
        public bool KeepState { get; init; }

        [CommandOption("--agents <N>")]
        [Description("Step 8: split the load over N local agent processes (histograms merged losslessly). Default: the manifest's load.agents (1)")]
        public int? Agents { get; init; }

        [CommandOption("--osv-db <PATH>")]
        [Description("Step 9: the OSV database of the dependency audit (a folder or an ecosystem's all.zip), over the manifest's security.audit.osvDb")]
        public string? OsvDatabase { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("Also write the findings for CI: github (workflow commands, and the job summary in $GITHUB_STEP_SUMMARY) or gitlab (gl-code-quality-report.json)")]
        public string? Format { get; init; }

        public override ValidationResult Validate()
        {
            if (Format is not null && !CiOutput.IsCi(Format))
            {
                return ValidationResult.Error($"--format must be github or gitlab, not '{Format}'");
            }

            if (OsvDatabase is { } db && !Directory.Exists(db) && !File.Exists(db))
            {
                return ValidationResult.Error($"--osv-db: no such folder or zip: {db}");
            }

            if (Agents is < 1 or > 64)
            {
                return ValidationResult.Error("--agents: use a number from 1 to 64");
            }

            if (Steps is not null && ProtocolSteps.Parse(Steps, out var error) is null)
            {
                return ValidationResult.Error($"--steps: {error}");
            }

            return Follow && !Up ? ValidationResult.Error("--follow needs --up") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        var options = new RunOptions { KeepState = settings.KeepState };
        if (settings.Steps is not null)
        {
            options = options with { Steps = ProtocolSteps.Parse(settings.Steps, out _)!.ToHashSet() };
        }

        if (settings.Out is not null)
        {
            options = options with { OutputDirectory = settings.Out };
        }

        var session = await RunSessionCommand.RunAsync(model, settings.Store, options, resume: null, settings.Up, settings.Follow, cancellationToken, settings.Agents, settings.OsvDatabase is null ? null : Path.GetFullPath(settings.OsvDatabase));
        if (settings.Format is { } format && session.Run is { } run && !session.Cancelled)
        {
            await CiOutput.WriteRunAsync(format, run, Path.GetFullPath(settings.Manifest), session.ExitCode, output: null);
        }

        return session.ExitCode;
    }
}
