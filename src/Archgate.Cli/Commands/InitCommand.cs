using System.ComponentModel;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class InitCommand : Command<InitCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[PATH]")]
        [Description("Where to write the manifest. Default: archgate.yaml")]
        public string Path { get; init; } = "archgate.yaml";

        [CommandOption("--force")]
        [Description("Overwrite an existing file")]
        public bool Force { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (File.Exists(settings.Path) && !settings.Force)
        {
            Console.Error.WriteLine($"archgate: {settings.Path} already exists");
            Console.Error.WriteLine("  hint: pass --force to overwrite it, or give another path");
            return ExitCodes.Usage;
        }

        File.WriteAllText(settings.Path, StarterManifest.Text);
        Console.WriteLine($"wrote {settings.Path}: describe your components, then run 'archgate validate {settings.Path}' and 'archgate plan {settings.Path}'");
        return ExitCodes.Go;
    }
}

/// <summary>The commented manifest 'archgate init' writes. It loads as is (a test holds it to that).</summary>
internal static class StarterManifest
{
    public const string Text = """
        # archgate.yaml: describe your system once; 'archgate run' proves that it integrates.
        # Reference: docs/manifest.md. Values may use ${VAR} or ${VAR:-default} from the environment.
        version: 1

        system:
          name: my-system
          owners: { architect: architect@example.test }

        # Hosts that probes and load may reach. Loopback only unless you add more.
        targets:
          allow: [127.0.0.1, localhost]

        components:
          - name: db
            kind: database
            engine: sqlite                       # or postgres
            connection: "${APP_DB:-Data Source=app.db}"

          - name: api
            kind: service
            url: http://127.0.0.1:8080
            health: /health
            # openapi: { path: contracts/api.yaml, baseline: contracts/api.v1.yaml }
            dependsOn: [db]
            critical: true
            owner: backend@example.test
            # How Archgate starts it ('archgate up', 'archgate run --up'):
            # run:
            #   command: dotnet bin/Api.dll --urls http://127.0.0.1:8080
            #   env: { ASPNETCORE_ENVIRONMENT: Development }
            #   ready: { http: /health, timeout: 30s }

          # - name: web
          #   kind: frontend
          #   url: http://127.0.0.1:3000
          #   dependsOn: [api]
          #   pages: [/]

          # - name: payments-gateway
          #   kind: third-party
          #   url: http://127.0.0.1:9000
          #   policy: { timeout: 10s, retries: 3, backoff: exponential, fallback: queue }

        slo:
          api: { p95: 200ms, errorRate: 1% }

        load:
          stages: [ { users: 100, duration: 10s }, { users: 500, duration: 10s } ]

        recovery:
          retries: 3
          backoff: 500ms

        escalation:
          channels: [ { console: true }, { file: .archgate/escalations.log } ]

        signoff:                               # who accepts a run before it is GO (archgate signoff)
          approver: System-Architect           # signs off (default); may waive failing rules until a date
          reviewers: []                        # roles whose review comes first (default: the roles system.owners names)

        """;
}
