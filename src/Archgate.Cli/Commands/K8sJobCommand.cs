using System.ComponentModel;
using System.Globalization;
using System.Text;
using Archgate.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// <c>archgate k8s-job MANIFEST --agents N --image IMAGE</c>: writes a ConfigMap holding the manifest and a
/// Kubernetes Indexed Job whose N pods each run <c>archgate agent --segment INDEX/N</c>. Their logs are the
/// agents' JSON lines; <c>archgate agent --merge</c> merges them (see docs/manifest.md).
/// </summary>
internal sealed class K8sJobCommand : AsyncCommand<K8sJobCommand.Settings>
{
    internal sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest whose load the agents run. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";

        [CommandOption("--agents <N>")]
        [Description("Number of agent pods (completions and parallelism of the Indexed Job). Default 4")]
        public int Agents { get; init; } = 4;

        [CommandOption("--image <IMAGE>")]
        [Description("Container image with the archgate command on its PATH. Default archgate:latest")]
        public string Image { get; init; } = "archgate:latest";

        [CommandOption("--namespace <NS>")]
        [Description("Kubernetes namespace. Default: none (kubectl's current one)")]
        public string? Namespace { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the YAML. Default: stdout")]
        public string? Output { get; init; }

        public override ValidationResult Validate() =>
            Agents is < 1 or > 1000 ? ValidationResult.Error("--agents: use a number from 1 to 1000") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        var manifest = await File.ReadAllTextAsync(settings.Manifest, cancellationToken);
        var yaml = Write(model.Name, manifest, settings.Agents, settings.Image, settings.Namespace, model.Load.TotalDuration);
        if (settings.Output is null)
        {
            await Console.Out.WriteAsync(yaml);
        }
        else
        {
            await File.WriteAllTextAsync(settings.Output, yaml, cancellationToken);
            await Console.Error.WriteLineAsync($"archgate: wrote {settings.Output}: kubectl apply -f {settings.Output}; then kubectl logs --prefix -l archgate.dev/job=load-{Name(model.Name)} > agents.log && archgate agent --merge agents.log");
        }

        return ExitCodes.Go;
    }

    internal static string Write(string system, string manifest, int agents, string image, string? ns, TimeSpan duration)
    {
        var name = $"archgate-load-{Name(system)}";
        var deadline = (int)Math.Ceiling(duration.TotalSeconds) + 300;
        var meta = ns is null ? string.Empty : $"\n  namespace: {ns}";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""
            # Written by 'archgate k8s-job': {agents} load agents for system '{system}'. Load goes only to the hosts in
            # the manifest's targets.allow: make sure the cluster may reach them, and that they expect the load.
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {name}-manifest{meta}
            data:
              archgate.yaml: |

            """);
        foreach (var line in manifest.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            sb.Append("    ").Append(line).Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"""
            ---
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {name}{meta}
              labels:
                archgate.dev/job: load-{Name(system)}
            spec:
              completionMode: Indexed        # each pod gets its index 0..{agents - 1}: its segment of every stage's users
              completions: {agents}
              parallelism: {agents}           # all agents at once, so their stages overlap
              backoffLimit: 0                 # a failed agent is a failed load, not a retried one
              activeDeadlineSeconds: {deadline}   # stages + 5 min, then Kubernetes stops the pods
              template:
                metadata:
                  labels:
                    archgate.dev/job: load-{Name(system)}
                spec:
                  restartPolicy: Never
                  containers:
                    - name: agent
                      image: {image}
                      args: ["agent", "/etc/archgate/archgate.yaml", "--segment", "$(SEGMENT_INDEX)/{agents}"]
                      env:
                        - name: SEGMENT_INDEX
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']
                      resources:
                        requests:
                          cpu: "1"
                          memory: 256Mi
                        limits:
                          memory: 512Mi
                      volumeMounts:
                        - name: manifest
                          mountPath: /etc/archgate
                          readOnly: true
                  volumes:
                    - name: manifest
                      configMap:
                        name: {name}-manifest

            """);
        return sb.ToString();
    }

    private static string Name(string system)
    {
        var chars = system.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var name = new string(chars).Trim('-');
        return name.Length == 0 ? "system" : name[..Math.Min(name.Length, 40)];
    }
}
