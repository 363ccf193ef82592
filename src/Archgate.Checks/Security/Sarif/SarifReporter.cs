using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Checks.Security.Secrets;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Checks.Security.Sarif;

/// <summary>
/// Writes every finding of step 9 (whichever check made it), and of step 6's check of third-party keys (secrets step 9
/// does not repeat), as SARIF 2.1.0, <c>security.sarif</c>: the rules with
/// their metadata (name, descriptions, help, OWASP API Top 10 and CWE tags, a <c>security-severity</c> that code
/// scanning ranks by), and per result its level, message, locations (a URL, a file and line, or an operation as a
/// logical location), the web request and response, the component and the masked evidence, and a fingerprint.
/// Rules the catalogue does not know are described from their findings.
/// </summary>
public sealed partial class SarifReporter(Func<string, SecurityRuleInfo?>? catalogue = null) : IReporter
{
    /// <summary>The step whose findings are written.</summary>
    public const int SecurityStep = 9;

    private const string ManifestRoot = "MANIFESTROOT";
    private readonly Func<string, SecurityRuleInfo?> _catalogue = catalogue ?? PassiveRules.Find;

    /// <inheritdoc />
    public string Name => "sarif";

    /// <inheritdoc />
    public string FileName => "security.sarif";

    /// <inheritdoc />
    public async Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var findings = run.Steps.SelectMany(s => s.Checks.Where(c => s.Number == SecurityStep || c.Id == SecretsCheck.ThirdPartySecretsCheck))
            .SelectMany(c => c.Findings.Select(f => (Check: c.Id, Finding: f))).ToList();
        var rules = findings.Select(f => f.Finding.Rule).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        await using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "Archgate");
        json.WriteString("fullName", "Archgate integration gate, step 9 (security)");
        json.WriteString("semanticVersion", Version());
        json.WriteString("informationUri", "https://github.com/archgate/archgate");
        json.WriteStartArray("rules");
        foreach (var rule in rules)
        {
            WriteRule(json, rule, findings.Where(f => f.Finding.Rule == rule).Select(f => f.Finding).ToList());
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray("invocations");
        json.WriteStartObject();
        json.WriteBoolean("executionSuccessful", run.Steps.Any(s => s.Number == SecurityStep && s.Status != CheckStatus.Error));
        json.WriteString("startTimeUtc", run.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        if (run.FinishedAt is { } finished)
        {
            json.WriteString("endTimeUtc", finished.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        }

        json.WriteEndObject();
        json.WriteEndArray();

        json.WriteStartObject("automationDetails");
        json.WriteString("id", $"archgate/{run.System}/{run.RunId}");
        json.WriteEndObject();

        if (run.ManifestPath is { Length: > 0 } manifest && Path.GetDirectoryName(Path.GetFullPath(manifest)) is { } root)
        {
            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject(ManifestRoot);
            json.WriteString("uri", new Uri(root.TrimEnd('/') + "/").AbsoluteUri);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartArray("results");
        foreach (var (check, finding) in findings)
        {
            WriteResult(json, run, check, finding, rules.IndexOf(finding.Rule));
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }

    private void WriteRule(Utf8JsonWriter json, string id, List<Finding> findings)
    {
        var info = _catalogue(id);
        var worst = findings.Max(f => f.Severity);
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("name", info?.Name ?? id);
        json.WriteStartObject("shortDescription");
        json.WriteString("text", info?.Title ?? Printable.EscapeLines(findings[0].Message));
        json.WriteEndObject();
        json.WriteStartObject("fullDescription");
        json.WriteString("text", info is null ? Printable.EscapeLines(findings[0].Message) : $"{info.Title}. {info.Help}");
        json.WriteEndObject();
        var help = info?.Help ?? findings.Select(f => f.Hint).FirstOrDefault(h => h is not null) ?? "See docs/rules.md.";
        json.WriteStartObject("help");
        json.WriteString("text", Printable.EscapeLines(help));
        json.WriteString("markdown", info is null ? Printable.EscapeLines(help)
            : $"**{info.Title}** ({info.Owasp}, CWE-{info.Cwe}{(info.ZapId is { } z ? $", ZAP alert {z}" : string.Empty)})\n\n{info.Help}");
        json.WriteEndObject();
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(info?.Severity ?? worst));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteStartArray("tags");
        json.WriteStringValue("security");
        if (info is not null)
        {
            json.WriteStringValue(info.Owasp);
            json.WriteStringValue($"external/cwe/cwe-{info.Cwe}");
        }

        json.WriteEndArray();
        json.WriteString("security-severity", SecuritySeverity(info?.Severity ?? worst));
        if (info?.ZapId is { } zap)
        {
            json.WriteNumber("zapAlertId", zap);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, RunRecord run, string check, Finding finding, int ruleIndex)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", finding.Rule);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("level", Level(finding.Severity));
        json.WriteStartObject("message");
        json.WriteString("text", Printable.EscapeLines(finding.Message));
        json.WriteEndObject();

        var request = finding.Evidence is { } evidence ? RequestLine().Match(evidence) : Match.Empty;
        json.WriteStartArray("locations");
        json.WriteStartObject();
        WritePhysical(json, run, finding.Location, request);
        if (finding.Location is { } logical && !IsUrl(logical))
        {
            json.WriteStartArray("logicalLocations");
            json.WriteStartObject();
            json.WriteString("fullyQualifiedName", Printable.EscapeLines(finding.Component is null ? logical : $"{finding.Component}:{logical}"));
            json.WriteString("kind", FileLine().IsMatch(logical) ? "member" : "resource");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndArray();

        if (request.Success)
        {
            json.WriteStartObject("webRequest");
            json.WriteString("method", request.Groups["method"].Value);
            json.WriteString("target", request.Groups["url"].Value);
            json.WriteEndObject();
            json.WriteStartObject("webResponse");
            json.WriteNumber("statusCode", int.Parse(request.Groups["status"].Value, CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteStartObject("partialFingerprints");
        json.WriteString("archgateFinding/v1", Fingerprint($"{finding.Rule}|{finding.Component}|{finding.Location}"));
        json.WriteEndObject();

        json.WriteStartObject("properties");
        json.WriteString("severity", finding.Severity.ToString().ToLowerInvariant());
        json.WriteString("check", check);
        if (finding.Component is { } component)
        {
            json.WriteString("component", component);
        }

        if (finding.Evidence is { } shown)
        {
            json.WriteString("evidence", Printable.EscapeLines(shown));
        }

        if (finding.Hint is { } hint)
        {
            json.WriteString("hint", Printable.EscapeLines(hint));
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// The physical location: a URL (the finding's, else its request's), a file and line (<c>file:12[:3] key</c>), else
    /// the manifest, so every result has one (code scanning needs it).
    /// </summary>
    private static void WritePhysical(Utf8JsonWriter json, RunRecord run, string? location, Match request)
    {
        json.WriteStartObject("physicalLocation");
        json.WriteStartObject("artifactLocation");
        Match file = location is null ? Match.Empty : FileLine().Match(location);
        int? line = null;
        int? column = null;
        if (location is not null && IsUrl(location))
        {
            json.WriteString("uri", location);
        }
        else if (request.Success)
        {
            json.WriteString("uri", request.Groups["url"].Value);
        }
        else if (file.Success)
        {
            var path = file.Groups["file"].Value;
            if (Path.IsPathRooted(path))
            {
                json.WriteString("uri", new Uri(path).AbsoluteUri);
            }
            else
            {
                json.WriteString("uri", path.Replace('\\', '/'));
                json.WriteString("uriBaseId", ManifestRoot);
            }

            line = int.Parse(file.Groups["line"].Value, CultureInfo.InvariantCulture);
            column = file.Groups["column"].Success ? int.Parse(file.Groups["column"].Value, CultureInfo.InvariantCulture) : null;
        }
        else
        {
            json.WriteString("uri", Path.GetFileName(run.ManifestPath is { Length: > 0 } m ? m : "archgate.yaml"));
            json.WriteString("uriBaseId", ManifestRoot);
        }

        json.WriteEndObject();
        if (line is { } l && l > 0)
        {
            json.WriteStartObject("region");
            json.WriteNumber("startLine", l);
            if (column is { } c && c > 0)
            {
                json.WriteNumber("startColumn", c);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static bool IsUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && !text.Contains(' ', StringComparison.Ordinal);

    /// <summary>SARIF level: critical and high are errors, medium a warning, low and info notes.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>The CVSS-like score code scanning ranks by (critical above 9, high 7-8.9, medium 4-6.9, low below 4).</summary>
    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "0.0",
    };

    private static string Fingerprint(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private static string Version() =>
        typeof(SarifReporter).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{Math.Max(0, v.Build)}" : "0.0.0";

    [GeneratedRegex(@"^(?<method>[A-Z]+) (?<url>https?://\S+) -> (?<status>\d{3})")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^(?<file>[^\s]+?):(?<line>\d+)(?::(?<column>\d+))?(?:\s|$)")]
    private static partial Regex FileLine();
}
