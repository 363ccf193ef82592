using Archgate.Checks.Security.Secrets;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Step 6: a third party's keys come from the environment or a secret store, never from a config file deployed with
/// its caller (or with the provider's own stand-in). Reads the deployed config folders of each caller of a third
/// party as step 9's secrets scan finds them (the program's folder, <c>*CONFIG*</c> env folders) and reports every
/// secret-looking value, masked; and reports where each key the manifest gives them comes from (env, vault, aws-sm),
/// a key written in the manifest itself being a finding (<see cref="KeySources"/>).
/// </summary>
internal sealed class SecretsInConfigCheck(IReadOnlyList<ThirdPartyComponent> providers, SecretsScanOptions? options = null) : ICheck
{
    public string Id => "third-party.secrets";

    public int Step => 6;

    public string Title => "Third-party keys come from the environment, not from deployed config files";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var system = context.System;
        var names = providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var callers = system.Components.Where(c => names.Contains(c.Name) || c.DependsOn.Any(names.Contains)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var keys = KeySources.Of(system, callers, providers);
        var folders = SecretsCheck.ConfigFolders(system).Where(f => f.Components.Any(callers.Contains)).ToList();
        if (folders.Count == 0 && keys.Count == 0)
        {
            return Task.FromResult(CheckResult.Skipped("no caller of a third party has a key in the manifest or a deployed config folder Archgate can read (a 'run' section naming its program)"));
        }

        var scanner = new SecretsCheck(options ?? new());
        var findings = new List<Finding>();
        var files = 0;
        // The values of the secrets the manifest declares are found under any key, as step 9 finds them (high).
        var secrets = SecretsCheck.SecretValues(system);
        foreach (var (components, file) in scanner.ConfigFileSet(system).Where(f => f.Components.Any(callers.Contains)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            files++;
            findings.AddRange(scanner.ScanFile(file, components, ThirdPartyRules.SecretInConfig, "deployed config", secrets).Select(f => f with
            {
                Hint = f.Severity >= Severity.Medium
                    ? "a third party's key belongs in the environment or a secret store: delete the file, read the key from the environment, rotate it"
                    : f.Hint,
            }));
        }

        if (folders.Count > 0 && !findings.Any(f => f.Rule == ThirdPartyRules.SecretInConfig))
        {
            findings.Add(Findings.Create(
                ThirdPartyRules.SecretInConfig,
                Severity.Info,
                null,
                null,
                files == 0
                    ? $"no deployed config file found to read in the folders of {string.Join(", ", folders.SelectMany(f => f.Components).Distinct())}: nothing was scanned"
                    : $"no secret-looking value in {files} deployed config file(s) of {string.Join(", ", folders.SelectMany(f => f.Components).Distinct())}",
                string.Join("\n", folders.Select(f => $"{string.Join(", ", f.Components)}: {f.Folder}")),
                files == 0
                    ? $"config files are read by name: {SecretsCheck.ReadFileKinds}; name a folder or file with security.configPaths if the keys live elsewhere"
                    : "nothing to do"));
        }

        if (keys.Count > 0)
        {
            findings.AddRange(KeySources.Judge(keys, Path.GetFileName(system.ManifestPath)));
        }

        return Task.FromResult(CheckResult.From(findings, [Metric.ForComponent("third_party_config_files_scanned", "system", files, "count"), .. KeySources.Metrics(keys)]));
    }
}
