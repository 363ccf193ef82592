using Archgate.Checks.Security.Secrets;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Where the keys of third parties and their callers come from, as the manifest loaded them: the environment, a secret
/// store (Vault, AWS Secrets Manager), the manifest's own default of an unset variable, or a literal in the manifest. A
/// key of the last two kinds sits in a committed file: a finding, as severe as the value looks (a test-mode key low, a
/// live one high). The report names each key and its origin, never its value.
/// </summary>
internal static class KeySources
{
    private static readonly string[] Origins = ["env", "vault", "aws-sm", "manifest default", "manifest"];

    /// <summary>One key: the component, the variable (or <c>webhook.secret</c>), its origin as reports say it, and the reference.</summary>
    public sealed record Key(string Component, string Name, string Origin, string Reference, int? Line, string Value);

    /// <summary>The keys of the run environments of <paramref name="components"/> and the webhook secrets of <paramref name="providers"/>.</summary>
    public static List<Key> Of(SystemModel system, IReadOnlySet<string> components, IEnumerable<ThirdPartyComponent> providers)
    {
        var keys = new List<Key>();
        foreach (var component in system.Components.Where(c => components.Contains(c.Name) && c.Run is not null))
        {
            foreach (var (name, value) in component.Run!.Environment.Where(e => IsKeyName(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                keys.Add(Describe(system, component.Name, name, $"components.{component.Name}.run.env.{name}", value));
            }
        }

        foreach (var provider in providers.Where(p => p.Webhook is not null))
        {
            keys.Add(Describe(system, provider.Name, "webhook.secret", $"components.{provider.Name}.webhook.secret", provider.Webhook!.Secret));
        }

        return [.. keys.Where(k => k.Value.Length > 0)];
    }

    /// <summary>The findings: a Low-or-worse one per key written in the manifest, and one information finding listing every key's origin.</summary>
    public static List<Finding> Judge(IReadOnlyList<Key> keys, string manifest)
    {
        var findings = new List<Finding>();
        foreach (var key in keys.Where(k => k.Origin is "manifest" or "manifest default"))
        {
            var looks = SecretPatterns.Classify(key.Name, key.Value);
            var severity = looks is null || looks.Severity < Severity.Low ? Severity.Low : looks.Severity;
            var where = key.Line is { } line ? $"{manifest}:{line}" : manifest;
            var what = $"{looks?.Kind ?? "a literal value"}, {looks?.Masked ?? SecretPatterns.Mask(key.Value, 0)}";
            findings.Add(Findings.Create(
                ThirdPartyRules.KeyInManifest,
                severity,
                key.Component,
                $"{where} components.{key.Component}.{(key.Name == "webhook.secret" ? key.Name : "run.env." + key.Name)}",
                key.Origin == "manifest"
                    ? $"{key.Component}: {key.Name} is written in the manifest, a committed file ({what})"
                    : $"{key.Component}: {key.Name} took the manifest's default because {key.Reference} is not set ({what})",
                hint: key.Origin == "manifest"
                    ? $"reference it instead: ${{{EnvName(key)}}} from the environment, or ${{vault:secret/data/PATH#KEY}} / ${{aws-sm:NAME#KEY}} from a secret store"
                    : $"set {key.Reference} in the environment, or reference a secret store (${{vault:secret/data/PATH#KEY}}, ${{aws-sm:NAME#KEY}}); keep defaults for test-mode keys only"));
        }

        findings.Add(Findings.Create(
            ThirdPartyRules.KeySources,
            Severity.Info,
            null,
            null,
            $"where {keys.Count} key(s) come from: {string.Join(", ", keys.GroupBy(k => k.Origin).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}",
            string.Join("\n", keys.Select(k => $"{k.Component} {k.Name}: {k.Origin} {k.Reference}".TrimEnd())),
            "values are never shown; env and the secret stores are where keys belong"));
        return findings;
    }

    /// <summary>Counts per origin, for the run's metrics.</summary>
    public static IEnumerable<Metric> Metrics(IReadOnlyList<Key> keys) =>
        Origins.Select(origin =>
            Metric.ForComponent($"third_party_keys_{origin.Replace(' ', '_')}", "system", keys.Count(k => k.Origin == origin), "count"));

    private static bool IsKeyName(string name) =>
        SecretPatterns.IsSecretName(name) || name.EndsWith("KEY", StringComparison.OrdinalIgnoreCase);

    private static string EnvName(Key key) => key.Name == "webhook.secret" ? "WEBHOOK_SECRET" : key.Name;

    private static Key Describe(SystemModel system, string component, string name, string path, string value)
    {
        var sources = system.ValueSources.Where(s => s.Path == path).ToList();
        if (sources.Count == 0)
        {
            return new Key(component, name, "manifest", string.Empty, null, value);
        }

        // A value made of several references is as weak as its weakest part.
        var source = sources.OrderByDescending(s => s.Origin == SecretOrigin.ManifestDefault).First();
        var reference = source.Origin is SecretOrigin.Vault or SecretOrigin.AwsSecretsManager ? source.Reference[(source.Reference.IndexOf(':', StringComparison.Ordinal) + 1)..] : source.Reference;
        return new Key(component, name, source.OriginName, reference, source.Line, value);
    }
}
