using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Audit;

/// <summary>One OSV advisory as the audit needs it.</summary>
/// <param name="Id">OSV id (<c>GHSA-...</c>, <c>PYSEC-...</c>).</param>
/// <param name="Aliases">Other ids (CVE, GHSA).</param>
/// <param name="Summary">One line.</param>
/// <param name="Severity">GitHub's word (<c>CRITICAL</c>, <c>HIGH</c>, <c>MODERATE</c>, <c>LOW</c>) or null.</param>
/// <param name="Affected">The affected packages.</param>
internal sealed record OsvAdvisory(string Id, IReadOnlyList<string> Aliases, string Summary, string? Severity, IReadOnlyList<OsvAffected> Affected);

/// <summary>An affected package: explicit versions and ranges of events.</summary>
internal sealed record OsvAffected(string Ecosystem, string Name, IReadOnlyList<string> Versions, IReadOnlyList<OsvRange> Ranges);

/// <summary>A range: its type (<c>SEMVER</c>, <c>ECOSYSTEM</c>; <c>GIT</c> is not used) and its events in order.</summary>
internal sealed record OsvRange(string Type, IReadOnlyList<(string Kind, string Version)> Events);

/// <summary>
/// An offline OSV database: a folder of OSV JSON records or a zip of them (an ecosystem's <c>all.zip</c> export),
/// indexed by ecosystem and package name. Withdrawn records are left out.
/// </summary>
internal sealed partial class OsvDatabase
{
    private readonly Dictionary<(string, string), List<(OsvAdvisory, OsvAffected)>> _index = [];

    /// <summary>Records read.</summary>
    public int Count { get; private set; }

    /// <summary>Reads a folder (recursively) or a zip.</summary>
    public static OsvDatabase Load(string path)
    {
        var db = new OsvDatabase();
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories))
            {
                using var stream = File.OpenRead(file);
                db.Add(stream);
            }
        }
        else
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            {
                using var stream = entry.Open();
                db.Add(stream);
            }
        }

        return db;
    }

    /// <summary>The advisories that affect <paramref name="name"/> at <paramref name="version"/>.</summary>
    public IEnumerable<(OsvAdvisory Advisory, string? Fixed)> Affecting(string ecosystem, string name, string version)
    {
        if (!_index.TryGetValue((ecosystem.ToLowerInvariant(), Normalize(ecosystem, name)), out var entries))
        {
            yield break;
        }

        foreach (var (advisory, affected) in entries)
        {
            if (Affects(affected, version, out var fix))
            {
                yield return (advisory, fix);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="version"/> is affected: listed, or inside a range (events sorted by version; introduced
    /// opens, fixed closes at that version, last_affected closes after it). <paramref name="fix"/>: the first fixed
    /// version above it.
    /// </summary>
    internal static bool Affects(OsvAffected affected, string version, out string? fix)
    {
        fix = null;
        if (affected.Versions.Contains(version, StringComparer.Ordinal))
        {
            fix = FirstFixAbove(affected, version);
            return true;
        }

        foreach (var range in affected.Ranges.Where(r => r.Type is "SEMVER" or "ECOSYSTEM"))
        {
            var events = range.Events.Where(e => e.Kind != "limit" && PackageVersion.Compare(affected.Ecosystem, e.Version, e.Version) is not null).ToList();
            events.Sort((x, y) => PackageVersion.Compare(affected.Ecosystem, x.Version, y.Version) ?? 0);
            var inside = false;
            foreach (var (kind, at) in events)
            {
                var c = PackageVersion.Compare(affected.Ecosystem, version, at);
                if (c is null)
                {
                    return false;
                }

                if (kind == "introduced" && c >= 0)
                {
                    inside = true;
                }
                else if ((kind == "fixed" && c >= 0) || (kind == "last_affected" && c > 0))
                {
                    inside = false;
                }
            }

            if (inside)
            {
                fix = FirstFixAbove(affected, version);
                return true;
            }
        }

        return false;
    }

    private static string? FirstFixAbove(OsvAffected affected, string version) =>
        affected.Ranges.SelectMany(r => r.Events).Where(e => e.Kind == "fixed" && PackageVersion.Compare(affected.Ecosystem, e.Version, version) > 0)
            .Select(e => e.Version).Order(Comparer<string>.Create((a, b) => PackageVersion.Compare(affected.Ecosystem, a, b) ?? 0)).FirstOrDefault();

    /// <summary>Package names as each ecosystem compares them (PyPI: PEP 503; NuGet, Packagist: case-insensitive; npm, Maven's group:artifact: exact).</summary>
    public static string Normalize(string ecosystem, string name) => ecosystem.ToLowerInvariant() switch
    {
        "pypi" => Pep503().Replace(name, "-").ToLowerInvariant(),
        "nuget" or "packagist" => name.ToLowerInvariant(),
        _ => name,
    };

    private void Add(Stream stream)
    {
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("withdrawn", out _) || !root.TryGetProperty("id", out var id))
        {
            return;
        }

        string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        IEnumerable<JsonElement> Array(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

        var affected = new List<OsvAffected>();
        foreach (var a in Array(root, "affected"))
        {
            if (!a.TryGetProperty("package", out var package) || Text(package, "ecosystem") is not { } ecosystem || Text(package, "name") is not { } name)
            {
                continue;
            }

            var ranges = Array(a, "ranges").Select(r => new OsvRange(Text(r, "type") ?? string.Empty,
                Array(r, "events").SelectMany(e => e.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => (p.Name, p.Value.GetString()!))).ToList())).ToList();
            var versions = Array(a, "versions").Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList();
            affected.Add(new OsvAffected(ecosystem.Split(':')[0], name, versions, ranges));
        }

        var severity = root.TryGetProperty("database_specific", out var specific) ? Text(specific, "severity") : null;
        var advisory = new OsvAdvisory(id.GetString()!, Array(root, "aliases").Select(v => v.GetString()!).ToList(),
            Text(root, "summary") ?? Text(root, "details")?.Split('\n')[0] ?? string.Empty, severity, affected);
        Count++;
        foreach (var a in affected)
        {
            var key = (a.Ecosystem.ToLowerInvariant(), Normalize(a.Ecosystem, a.Name));
            if (!_index.TryGetValue(key, out var list))
            {
                _index[key] = list = [];
            }

            list.Add((advisory, a));
        }
    }

    [GeneratedRegex(@"[-_.]+")]
    private static partial Regex Pep503();
}
