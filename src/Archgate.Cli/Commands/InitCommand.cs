using System.ComponentModel;
using Archgate.Import;
using Archgate.Manifest;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// 'archgate init': a commented starter manifest, or with --from one inferred from a docker-compose file, an Aspire
/// manifest or Kubernetes YAML; beside it the JSON Schema that editors complete and check the manifest with.
/// </summary>
internal sealed class InitCommand : AsyncCommand<InitCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[PATH]")]
        [Description("Where to write the manifest. Default: archgate.yaml")]
        public string Path { get; init; } = "archgate.yaml";

        [CommandOption("--force")]
        [Description("Overwrite an existing file")]
        public bool Force { get; init; }

        [CommandOption("--from <FILE>")]
        [Description("Infer the manifest from a docker-compose file, an Aspire manifest (aspire-manifest.json) or Kubernetes YAML (a rendered Helm chart too)")]
        public string? From { get; init; }

        [CommandOption("--discover-openapi")]
        [Description("With --from: ask each running service on this machine for its OpenAPI document at the usual paths and save it under contracts/")]
        public bool DiscoverOpenApi { get; init; }

        public override ValidationResult Validate() =>
            DiscoverOpenApi && From is null ? ValidationResult.Error("--discover-openapi needs --from FILE: it asks the services the file describes") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (File.Exists(settings.Path) && !settings.Force)
        {
            Console.Error.WriteLine($"archgate: {settings.Path} already exists");
            Console.Error.WriteLine("  hint: pass --force to overwrite it, or give another path");
            return ExitCodes.Usage;
        }

        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(settings.Path))!;
        var text = StarterManifest.Text;
        var summary = "describe your components";
        if (settings.From is { } from)
        {
            if (!File.Exists(from))
            {
                Console.Error.WriteLine($"archgate: {from}: file not found");
                Console.Error.WriteLine("  hint: give a docker-compose file, an aspire-manifest.json or Kubernetes YAML");
                return ExitCodes.Usage;
            }

            ImportedSystem system;
            try
            {
                var relative = System.IO.Path.GetRelativePath(folder, System.IO.Path.GetFullPath(from));
                var name = new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(from))!).Name.ToLowerInvariant();
                system = ManifestImport.Read(await File.ReadAllTextAsync(from, cancellationToken), relative, name, OnPath("docker"));
            }
            catch (ImportException ex)
            {
                Console.Error.WriteLine($"archgate: {from}: {Printable.EscapeLines(ex.Message)}");
                Console.Error.WriteLine("  hint: --from reads a docker-compose file, an aspire-manifest.json ('dotnet run --publisher manifest') or Kubernetes YAML ('helm template' output too)");
                return ExitCodes.InvalidManifest;
            }

            if (settings.DiscoverOpenApi)
            {
                foreach (var line in await OpenApiDiscovery.DiscoverAsync(system, folder, TimeSpan.FromSeconds(5), cancellationToken))
                {
                    Console.WriteLine($"openapi: {line}");
                }
            }

            text = ManifestWriter.Write(system, $"archgate init --from {from}");
            var todos = text.Split('\n').Count(l => l.Contains("TODO", StringComparison.Ordinal));
            summary = $"{system.Components.Count(c => c.Kind is not null)} components from {system.Source}, {todos} TODO(s) to review";
        }

        File.WriteAllText(settings.Path, text);
        File.WriteAllText(System.IO.Path.Combine(folder, ManifestWriter.SchemaFileName), ManifestLoader.JsonSchema());
        Console.WriteLine($"wrote {settings.Path} ({summary}) and {ManifestWriter.SchemaFileName} beside it (editors complete and check the manifest with it)");
        var check = ManifestLoader.Load(settings.Path, _ => null);
        if (check.Errors.Count > 0)
        {
            Console.Error.WriteLine($"archgate: the written manifest does not validate yet:");
            foreach (var error in check.Errors)
            {
                Console.Error.WriteLine($"  {error}");
            }

            return ExitCodes.InvalidManifest;
        }

        Console.WriteLine($"next: review the TODOs, then 'archgate validate {settings.Path}' and 'archgate plan {settings.Path}'");
        return ExitCodes.Go;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(System.IO.Path.Combine(d, program)));
}

/// <summary>The commented manifest 'archgate init' writes. It loads as is (a test holds it to that).</summary>
internal static class StarterManifest
{
    public const string Text = """
        # yaml-language-server: $schema=archgate.schema.json
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
