using System.Runtime.InteropServices;
using Archgate.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli;

/// <summary>Builds the command tree. Each command is one class under <c>Commands/</c>.</summary>
internal static class ArchgateApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var verbose = args.Contains("--verbose");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            // First Ctrl+C cancels cleanly; a second one ends the process the hard way.
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };
        Console.CancelKeyPress += onCtrlC;
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cancel.Cancel();
        });

        if (Console.IsOutputRedirected)
        {
            // Logs and CI: no wrapping at 80 columns, so every line stays greppable.
            AnsiConsole.Profile.Width = 240;
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("archgate");
            config.UseStrictParsing();
            config.SetExceptionHandler((ex, _) =>
            {
                if (ex is OperationCanceledException)
                {
                    Console.Error.WriteLine("archgate: cancelled");
                    return ExitCodes.Cancelled;
                }

                if (ex is CommandParseException or CommandRuntimeException)
                {
                    // The message quotes the user's arguments: a URL's user-info or a raw ESC must not be echoed.
                    Console.Error.WriteLine($"archgate: {Printable.EscapeLines(Redact.Text(ex.Message))}");
                    Console.Error.WriteLine("  hint: 'archgate --help' lists the commands; 'archgate COMMAND --help' their options");
                    return ExitCodes.Usage;
                }

                Console.Error.WriteLine($"archgate: internal error: {Printable.EscapeLines(Redact.Text(ex.Message))}");
                if (verbose)
                {
                    Console.Error.WriteLine(ex.ToString());
                }
                else
                {
                    Console.Error.WriteLine("  hint: run again with --verbose for the stack trace, and report it");
                }

                return ExitCodes.Infrastructure;
            });
            config.AddCommand<InitCommand>("init").WithDescription("Write a commented starter archgate.yaml, or infer one with --from docker-compose.yml, aspire-manifest.json or Kubernetes YAML.");
            config.AddCommand<SchemaCommand>("schema").WithDescription("Print the JSON Schema (2020-12) of archgate.yaml, for editors (yaml-language-server).");
            config.AddCommand<ValidateCommand>("validate").WithDescription("Check a manifest and print every problem with file:line:column.");
            config.AddCommand<PlanCommand>("plan").WithDescription("Step 1: build the dependency graph and write integration-plan.md.");
            config.AddCommand<RunCommand>("run").WithDescription("Run the ten-step integration protocol and answer GO or NO-GO.");
            config.AddCommand<ResumeCommand>("resume").WithDescription("Continue a killed or cancelled run from its first unfinished step.");
            config.AddCommand<RunsCommand>("runs").WithDescription("List past runs from the run store.");
            config.AddCommand<ReportCommand>("report").WithDescription("Render a stored run as md, json or junit; exit code: the run's outcome as it stands (0 once signed off GO).");
            config.AddCommand<SignoffCommand>("signoff").WithDescription("Record a review or the sign-off of a run (append-only, hash-chained).")
                .WithExample("signoff", "last", "--as", "alice", "--role", "System-Architect", "--approve");
            config.AddCommand<EscalationsCommand>("escalations").WithDescription("List escalations with their level and state; --tick rises the unacknowledged ones (cron/CI) and retries failed deliveries.");
            config.AddCommand<AckCommand>("ack").WithDescription("Acknowledge an escalation so it does not rise further.")
                .WithExample("ack", "e-3f9a1c2b7d", "--as", "alice", "--note", "on it");
            config.AddCommand<EscalateCommand>("escalate").WithDescription("Raise an escalation by hand on a run (architectural-conflict, coordination-deadlock, stack-incompatibility, compliance, priority-change, vendor).")
                .WithExample("escalate", "last", "--reason", "vendor", "--note", "payments sandbox down since Monday");
            config.AddCommand<HandoffCommand>("handoff").WithDescription("Write a signed-off run's handoff bundle (reports, run.json, SARIF, JUnit, plan, evidence, SHA256SUMS) as one .tar.gz.");
            config.AddCommand<UpCommand>("up").WithDescription("Start the system's components in plan order.");
            config.AddCommand<DownCommand>("down").WithDescription("Stop a system started with 'archgate up --detach'.");
            config.AddCommand<DemoCommand>("demo").WithDescription("Build the shop sample (once) and run the full protocol against it.");
            config.AddCommand<AgentCommand>("agent").WithDescription("Run one segment of the manifest's load and print its histograms as JSON lines (for 'run --agents').");
            config.AddCommand<K8sJobCommand>("k8s-job").WithDescription("Write a Kubernetes Indexed Job that runs the load agents on a cluster.");
            config.AddCommand<DoctorCommand>("doctor").WithDescription("List the external programs runs, tests and benchmarks start, found or missing; --install installs what is missing.");
            config.AddCommand<VersionCommand>("version").WithDescription("Print the Archgate version.");
            config.AddCommand<ScanCommand>("scan").WithDescription("Step 9 alone against one URL: authentication, authorization, injection and CORS probes; exit 0 or 4.")
                .WithExample("scan", "http://127.0.0.1:8080", "--openapi", "openapi.yaml", "--identity", "ann:secret@/auth/login", "--identity", "ben:secret@/auth/login");
            config.AddCommand<DiffCommand>("diff").WithDescription("Report breaking changes between two versions of an OpenAPI contract.");
            config.AddCommand<WatchdogCommand>("__watchdog").IsHidden();
            config.AddCommand<LoadCommand>("load").WithDescription("Load one URL (closed or open model) and print latency percentiles, throughput and errors.").WithExample("load", "http://127.0.0.1:8080/", "--users", "50", "--duration", "10s");
        });

        try
        {
            return await app.RunAsync(args, cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    /// <summary>
    /// Text from manifests and targets goes through here before Spectre markup: markup is escaped, and control
    /// characters (a raw ESC would drive the terminal) become visible escapes; line breaks and tabs stay.
    /// </summary>
    public static string Safe(string text) => Markup.Escape(Printable.EscapeLines(text));
}
