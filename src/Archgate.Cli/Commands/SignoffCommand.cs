using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Checks;
using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Reporting;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed partial class SignoffCommand : AsyncCommand<SignoffCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--as <NAME>")]
        [Description("Who signs. Default: $ARCHGATE_USER, else git config user.name / user.email")]
        public string? As { get; init; }

        [CommandOption("--role <ROLE>")]
        [Description("The role signed as: a reviewer role, or the approver (default System-Architect) for the sign-off")]
        public string Role { get; init; } = string.Empty;

        [CommandOption("--approve")]
        [Description("Accept the run")]
        public bool Approve { get; init; }

        [CommandOption("--reject")]
        [Description("Refuse the run")]
        public bool Reject { get; init; }

        [CommandOption("--comment <TEXT>")]
        [Description("A comment kept in the record")]
        public string? Comment { get; init; }

        [CommandOption("--waive <RULE:REASON:EXPIRY>")]
        [Description("Approver only, with --approve: accept a failing rule until EXPIRY (YYYY-MM-DD, UTC), for this and later runs of the system. Repeatable")]
        public string[] Waive { get; init; } = [];

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Role))
            {
                return ValidationResult.Error("--role is required (a reviewer role, or the approver, System-Architect by default)");
            }

            if (Approve == Reject)
            {
                return ValidationResult.Error("give exactly one of --approve or --reject");
            }

            foreach (var w in Waive)
            {
                if (ParseWaiver(w, out var error) is null)
                {
                    return ValidationResult.Error($"--waive '{w}': {error}");
                }
            }

            return ValidationResult.Success();
        }
    }

    /// <summary><c>RULE:REASON:EXPIRY</c>: the rule up to the first colon, the date after the last, the reason between.</summary>
    internal static Waiver? ParseWaiver(string text, out string? error)
    {
        error = null;
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first < 0 || last <= first)
        {
            error = "write RULE:REASON:EXPIRY, for example AG4001:payments sandbox is down until the vendor fixes it:2027-01-31";
            return null;
        }

        var rule = text[..first].Trim();
        var reason = text[(first + 1)..last].Trim();
        var expiry = text[(last + 1)..].Trim();
        if (!RuleId().IsMatch(rule))
        {
            error = $"'{rule}' is not a rule id (AG and four digits, as the report names them)";
        }
        else if (reason.Length == 0)
        {
            error = "a waiver needs a reason";
        }
        else if (!DateOnly.TryParseExact(expiry, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            error = $"'{expiry}' is not an expiry date (YYYY-MM-DD)";
        }
        else
        {
            return new Waiver(rule, reason, new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        }

        return null;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var identity = SignerIdentity.Resolve(settings.As, Environment.GetEnvironmentVariable, GitConfig);
        if (identity is not { } who)
        {
            Console.Error.WriteLine("archgate: no identity to sign with");
            Console.Error.WriteLine($"  hint: pass --as NAME, set {SignerIdentity.EnvironmentVariable}, or set git config user.name");
            return ExitCodes.Usage;
        }

        using var store = RunStore.Open(settings.Store);
        var id = settings.ResolveRun(store);
        if (id is null)
        {
            return ExitCodes.Usage;
        }

        var request = new SignoffRequest(who.Identity, who.Source, settings.Role.Trim(), settings.Approve ? SignoffDecision.Approve : SignoffDecision.Reject,
            settings.Comment, settings.Waive.Select(w => ParseWaiver(w, out _)!).ToList());
        var result = Signing.Sign(store, ArchgateProtocol.Default, id, request, TimeProvider.System.GetUtcNow());
        if (result.Error is not null)
        {
            Console.Error.WriteLine($"archgate: signoff refused: {Printable.EscapeLines(result.Error)}");
            Console.Error.WriteLine($"  hint: {Printable.EscapeLines(result.Hint ?? string.Empty)}");
            return ExitCodes.Usage;
        }

        var run = result.Run!;
        var record = result.Record!;
        if (store.OutputDirectory(id) is { } output && Directory.Exists(output))
        {
            await Reporters.WriteAllAsync(run, output, ArchgateReports.All, cancellationToken);
        }

        var outcome = RunOutcomes.Of(run);
        AnsiConsole.MarkupLine($"recorded {record.Kind} #{record.Seq} of run {id}: {ArchgateApp.Safe(record.Identity)} (from {Source(record.IdentitySource)}) " +
            $"as {ArchgateApp.Safe(record.Role)}: {record.Decision.ToString().ToLowerInvariant()}");
        AnsiConsole.MarkupLine($"  hash {record.Hash} (previous {record.PreviousHash[..12]}); keep it to prove later that no record after it was removed");
        foreach (var w in record.Waivers)
        {
            AnsiConsole.MarkupLine($"  waived {ArchgateApp.Safe(w.Rule)} until {w.Expires:yyyy-MM-dd}: {ArchgateApp.Safe(w.Reason)}");
        }

        AnsiConsole.MarkupLine($"verdict: {Verdicts.Text(run)}");
        return RunOutcomes.ExitCode(outcome);
    }

    private static string Source(IdentitySource source) => source switch
    {
        IdentitySource.Flag => "--as",
        IdentitySource.Environment => SignerIdentity.EnvironmentVariable,
        _ => "git config",
    };

    /// <summary>A git config value, or null when unset or git cannot be run.</summary>
    internal static string? GitConfig(string key)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["config", "--get", key]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (git is null)
            {
                return null;
            }

            var value = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && value.Length > 0 ? value : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [GeneratedRegex("^AG[0-9]{4}$")]
    private static partial Regex RuleId();
}
