using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Archgate.Tests.Pact;

/// <summary>What the reference verifier decided: interaction description to passed.</summary>
public sealed record ReferenceVerdict(IReadOnlyDictionary<string, bool> Interactions, string Output);

/// <summary>
/// The Pact Foundation's reference verifier (<c>pact-verifier</c> from the npm package
/// <c>@pact-foundation/pact-cli</c>, which ships the Rust <c>pact verifier</c> as a static binary), installed
/// into a cache folder on first use. Shared by the differential tests of Archgate.Checks.Tests and
/// Archgate.EndToEnd.Tests (linked source).
/// </summary>
public static class ReferencePactVerifier
{
    /// <summary>The npm package.</summary>
    public const string Package = "@pact-foundation/pact-cli";

    /// <summary>The pinned version, so that verdicts do not move under the tests.</summary>
    public const string Version = "18.1.2";

    private static readonly NpmTool Tool = new(Package, Version, "pact-cli", "pact-verifier", new Dictionary<string, string> { ["PACT_DO_NOT_TRACK"] = "true" });

    /// <summary>The cache folder: <c>ARCHGATE_TOOLS_CACHE</c>, else <c>~/.cache/archgate</c>, then <c>pact-cli-VERSION</c>.</summary>
    public static string CacheDirectory => Tool.CacheDirectory;

    /// <summary>
    /// The verifier's path, installing it with npm when missing. Returns null with the reason when npm or its
    /// registry cannot be reached (the only case a test may skip for); throws when the install fails otherwise.
    /// </summary>
    public static Task<(string? Path, string? SkipReason)> EnsureInstalledAsync() => Tool.EnsureInstalledAsync();

    /// <summary>Verifies <paramref name="pactFile"/> against a provider on 127.0.0.1.</summary>
    /// <param name="executable">From <see cref="EnsureInstalledAsync"/>.</param>
    /// <param name="pactFile">The pact.</param>
    /// <param name="port">The provider's port.</param>
    /// <param name="stateChangeUrl">The state-change URL (with teardown), or null.</param>
    /// <param name="headers">Custom headers (<c>Authorization=Bearer ...</c>) for every request.</param>
    public static async Task<ReferenceVerdict> VerifyAsync(string executable, string pactFile, int port, string? stateChangeUrl = null, IEnumerable<string>? headers = null)
    {
        var report = Path.Combine(Path.GetTempPath(), $"archgate-pact-reference-{Guid.NewGuid():N}.json");
        var arguments = new List<string> { "-f", pactFile, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-j", report, "--no-colour" };
        if (stateChangeUrl is not null)
        {
            arguments.AddRange(["-s", stateChangeUrl, "--state-change-teardown"]);
        }

        foreach (var header in headers ?? [])
        {
            arguments.AddRange(["-H", header]);
        }

        try
        {
            var run = await Tool.RunAsync(executable, arguments, TimeSpan.FromMinutes(2));
            if (!File.Exists(report))
            {
                throw new InvalidOperationException($"pact-verifier wrote no report (exit {run.ExitCode}):\n{run.Output}");
            }

            var json = JsonNode.Parse(await File.ReadAllTextAsync(report))!;
            var failed = (json["errors"] as JsonArray ?? []).Select(e => e?["interaction"]?.GetValue<string>() ?? string.Empty).ToList();
            var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var result in json["interactionResults"] as JsonArray ?? [])
            {
                var description = result!["description"]!.GetValue<string>();
                verdicts[description] = !failed.Any(f => f.EndsWith($" - {description}", StringComparison.Ordinal));
            }

            return new ReferenceVerdict(verdicts, run.Output);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
