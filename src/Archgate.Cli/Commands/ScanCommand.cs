using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Archgate.Checks;
using Archgate.Cli.Rendering;
using Archgate.Manifest;
using Archgate.Protocol;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// <c>archgate scan URL</c>: step 9 alone against any service, the way people run <c>zap-baseline.py -t URL</c>. The
/// command line becomes a one-service manifest (read in memory; passwords reach it only through its environment
/// lookup, never a file), only the URL's host is allowed, and the exit code is 0 when "Zero critical
/// vulnerabilities" holds, 4 when it fails. <c>--format md|json|sarif</c> prints that report (to <c>--output</c>, or
/// alone on standard output, the progress going to standard error).
/// </summary>
internal sealed partial class ScanCommand : AsyncCommand<ScanCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<URL>")]
        [Description("The service's base URL, for example http://127.0.0.1:8080")]
        public string Url { get; init; } = string.Empty;

        [CommandOption("--openapi <FILE>")]
        [Description("The service's OpenAPI document: every operation it declares is probed")]
        public string? OpenApi { get; init; }

        [CommandOption("--identity <USER:PASSWORD@/LOGIN>")]
        [Description("An identity that signs in with POST /LOGIN { username, password }; repeat for two or more (BOLA); the first also authenticates the probes")]
        public string[] Identities { get; init; } = [];

        [CommandOption("--protected <PATTERN>")]
        [Description("A path pattern that must refuse requests without credentials (/admin/**, or PUT /events/* for one method); repeatable")]
        public string[] Protected { get; init; } = [];

        [CommandOption("--admin-only <PATTERN>")]
        [Description("A path pattern only an admin may call (/admin/**, or POST /events for one method); repeatable")]
        public string[] AdminOnly { get; init; } = [];

        [CommandOption("--safe")]
        [Description("Send no state-changing request (for shared environments)")]
        public bool Safe { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Folder for the reports. Default: .archgate/runs/<run-id>")]
        public string? Out { get; init; }

        [CommandOption("-f|--format <FORMAT>")]
        [Description("Also print the report as md, json (run.json) or sarif (SARIF 2.1.0) on standard output, or into --output (progress then goes to standard error); or write the findings for CI: github (workflow commands, and the job summary in $GITHUB_STEP_SUMMARY) or gitlab (gl-code-quality-report.json, or --output)")]
        public string? Format { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("Write the --format report to this file instead of standard output")]
        public string? Output { get; init; }

        public override ValidationResult Validate()
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                return ValidationResult.Error($"URL: '{Url}' is not an http or https URL");
            }

            if (Format is not null && !Formats.Contains(Format, StringComparer.Ordinal))
            {
                return ValidationResult.Error($"--format: unknown format '{Format}'; use {string.Join(", ", Formats)}");
            }

            if (Output is not null && Format is null)
            {
                return ValidationResult.Error("--output: give --format too (md, json or sarif)");
            }

            var wrong = Identities.FirstOrDefault(i => !IdentityPattern().IsMatch(i));
            return wrong is null
                ? ValidationResult.Success()
                : ValidationResult.Error($"--identity: value {Array.IndexOf(Identities, wrong) + 1} is not USER:PASSWORD@/LOGIN (for example ann:secret@/auth/login; not shown: it may hold a password)");
        }
    }

    /// <summary>The report formats <c>--format</c> takes.</summary>
    internal static readonly string[] Formats = ["md", "json", "sarif", "github", "gitlab"];

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Format is not null && CiOutput.IsCi(settings.Format))
        {
            var (ciExit, ciRun) = await ScanAsync(settings, cancellationToken);
            if (ciRun is not null)
            {
                // The scan's manifest is made up from the command line: findings name their operation, not a file.
                await CiOutput.WriteRunAsync(settings.Format, ciRun, manifestPath: null, ciExit, output: settings.Output);
            }

            return ciExit;
        }

        if (settings.Format is not null && settings.Output is null)
        {
            // Standard output carries the report alone (for a pipe); progress and the verdict line go to standard error.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        }

        var (exit, run) = await ScanAsync(settings, cancellationToken);
        if (settings.Format is not null && run is not null)
        {
            await Rendering.ReportOutput.WriteAsync(ArchgateReports.Find(settings.Format)!, run, settings.Output, cancellationToken);
        }

        return exit;
    }

    private static async Task<(int Exit, RunRecord? Run)> ScanAsync(Settings settings, CancellationToken cancellationToken)
    {
        var (yaml, secrets) = Manifest(settings);
        var path = Path.GetFullPath("archgate-scan.yaml");
        var result = ManifestLoader.Parse(yaml, "scan", path, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))), n => secrets.GetValueOrDefault(n));
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }

            return (ExitCodes.Usage, null);
        }

        var options = new RunOptions { Steps = new HashSet<int> { 9 } };
        if (settings.Out is not null)
        {
            options = options with { OutputDirectory = settings.Out };
        }

        var session = await RunSessionCommand.RunAsync(result.Model!, settings.Store, options, resume: null, up: false, follow: false, cancellationToken);
        var criterion = session.Run?.Criteria.FirstOrDefault(c => c.Id == "security");
        if (session.Cancelled || criterion is null)
        {
            return (session.ExitCode, session.Run);
        }

        AnsiConsole.MarkupLine(criterion.Status == CriterionStatus.Pass
            ? "scan: [green]no critical or high finding[/] (exit 0)"
            : $"scan: [red]{Markup.Escape(criterion.Observed)}[/] (exit {(criterion.Status == CriterionStatus.Fail ? ExitCodes.NoGo : ExitCodes.Incomplete)})");
        return (criterion.Status switch
        {
            CriterionStatus.Pass => ExitCodes.Go,
            CriterionStatus.Fail => ExitCodes.NoGo,
            _ => session.ExitCode == ExitCodes.Infrastructure ? ExitCodes.Infrastructure : ExitCodes.Incomplete,
        }, session.Run);
    }

    /// <summary>The one-service manifest, with each password as <c>${SCAN_PASSWORD_N}</c> and its value in the lookup.</summary>
    internal static (string Yaml, Dictionary<string, string> Secrets) Manifest(Settings settings)
    {
        var url = new Uri(settings.Url);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = new StringBuilder();
        text.AppendLine("version: 1").AppendLine("system: { name: scan }").Append("targets: { allow: [").Append(Quote(url.Host)).AppendLine("] }");
        var names = new List<string>();
        if (settings.Identities.Length > 0)
        {
            text.AppendLine("auth:");
            for (var i = 0; i < settings.Identities.Length; i++)
            {
                var m = IdentityPattern().Match(settings.Identities[i]);
                var name = $"identity{(i + 1).ToString(CultureInfo.InvariantCulture)}";
                var variable = $"SCAN_PASSWORD_{(i + 1).ToString(CultureInfo.InvariantCulture)}";
                secrets[variable] = m.Groups["password"].Value;
                names.Add(name);
                text.Append("  ").Append(name).Append(": { login: ").Append(Quote("POST " + m.Groups["login"].Value)).Append(", user: ").Append(Quote(m.Groups["user"].Value))
                    .Append(", password: \"${").Append(variable).AppendLine("}\" }");
            }
        }

        text.AppendLine("components:").AppendLine("  - name: service").AppendLine("    kind: service").Append("    url: ").AppendLine(Quote(settings.Url));
        if (settings.OpenApi is not null)
        {
            text.Append("    openapi: ").AppendLine(Quote(Path.GetFullPath(settings.OpenApi)));
        }

        if (names.Count > 0)
        {
            text.Append("    auth: ").AppendLine(names[0]);
        }

        text.AppendLine("security:")
            .Append("  safe: ").AppendLine(settings.Safe ? "true" : "false")
            .Append("  protected: [").Append(string.Join(", ", settings.Protected.Select(Quote))).AppendLine("]")
            .Append("  adminOnly: [").Append(string.Join(", ", settings.AdminOnly.Select(Quote))).AppendLine("]")
            .Append("  identities: [").Append(string.Join(", ", names)).AppendLine("]");
        return (text.ToString(), secrets);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^(?<user>[^:@\s]+):(?<password>.+)@(?<login>/\S*)$")]
    private static partial Regex IdentityPattern();
}
