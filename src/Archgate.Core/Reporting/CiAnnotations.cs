using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>A finding as a CI system shows it: where (a file and line, or a title naming the operation) and what.</summary>
/// <param name="Rule">The rule id (AG5040, or a diff rule's id).</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Message">What was found.</param>
public sealed record CiFinding(string Rule, Severity Severity, string Message)
{
    /// <summary>The file it points at, relative to the working folder with '/' separators.</summary>
    public string? File { get; init; }

    /// <summary>The line in <see cref="File"/> (1-based).</summary>
    public int? Line { get; init; }

    /// <summary>What the finding is about when no file says it: the component and the operation, table or URL.</summary>
    public string? Subject { get; init; }

    /// <summary>How to mend it.</summary>
    public string? Hint { get; init; }
}

/// <summary>Findings of a run for CI annotations: each at its component's line of the manifest, when it names one.</summary>
public static partial class CiFindings
{
    /// <summary>Every finding of <paramref name="run"/>, most severe first.</summary>
    /// <param name="run">The finished run.</param>
    /// <param name="manifestText">The manifest's text (to find each component's line), or null.</param>
    /// <param name="manifestFile">The manifest as the annotations name it (relative to the repository's root); null: no file (scan).</param>
    public static IReadOnlyList<CiFinding> FromRun(RunRecord run, string? manifestText, string? manifestFile)
    {
        ArgumentNullException.ThrowIfNull(run);
        var lines = (manifestText ?? string.Empty).Split('\n');
        var byComponent = new Dictionary<string, int?>(StringComparer.Ordinal);
        int? LineOf(string component)
        {
            if (!byComponent.TryGetValue(component, out var line))
            {
                var index = Array.FindIndex(lines, l => ComponentName().Match(l) is { Success: true } m && m.Groups[1].Value == component);
                byComponent[component] = line = index < 0 ? null : index + 1;
            }

            return line;
        }

        return run.Steps.SelectMany(s => s.Checks).SelectMany(c => c.Findings)
            .Select(f =>
            {
                var line = f.Component is null || manifestFile is null ? null : LineOf(f.Component);
                return new CiFinding(f.Rule, f.Severity, f.Message)
                {
                    File = manifestFile?.Replace('\\', '/'),
                    Line = manifestFile is null ? null : line ?? 1,
                    Subject = string.Join(" ", new[] { f.Component, f.Location }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } subject ? subject : null,
                    Hint = f.Hint,
                };
            })
            .OrderByDescending(f => f.Severity)
            .ToList();
    }

    [GeneratedRegex(@"^\s*-\s*name:\s*[""']?([^""'#\s]+)[""']?\s*(?:#.*)?$")]
    private static partial Regex ComponentName();
}

/// <summary>
/// GitHub Actions workflow commands (<c>::error file=F,line=L,title=T::message</c>) and the job summary. Escaping as
/// GitHub's toolkit does: in the message '%', CR and LF; in properties also ':' and ','.
/// </summary>
public static class GitHubAnnotations
{
    /// <summary>One workflow command per finding: critical and high as errors, medium as warnings, low as notices; info is left to the summary.</summary>
    public static IEnumerable<string> Commands(IEnumerable<CiFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var f in findings.Where(f => f.Severity > Severity.Info))
        {
            var command = f.Severity switch { Severity.Critical or Severity.High => "error", Severity.Medium => "warning", _ => "notice" };
            var properties = new List<string>();
            if (f.File is not null)
            {
                properties.Add($"file={EscapeProperty(f.File)}");
                if (f.Line is { } line)
                {
                    properties.Add($"line={line.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            // Text from a target may hold control characters: escaped (Printable) before GitHub's own escaping.
            properties.Add($"title={EscapeProperty(Printable.Escape(f.Subject is null ? f.Rule : $"{f.Rule} {f.Subject}"))}");
            var message = f.Hint is null ? f.Message : $"{f.Message}\nhint: {f.Hint}";
            yield return $"::{command} {string.Join(',', properties)}::{EscapeData(Printable.EscapeLines(message))}";
        }
    }

    /// <summary>The message part of a workflow command.</summary>
    public static string EscapeData(string text) =>
        text.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>A property value of a workflow command.</summary>
    public static string EscapeProperty(string text) =>
        EscapeData(text).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary>The job summary (GitHub-flavoured Markdown): the outcome, counts by severity and the most severe findings.</summary>
    /// <param name="title">'archgate run: shop'.</param>
    /// <param name="outcome">'NO-GO (exit 4)'.</param>
    /// <param name="rows">Extra table rows first (criteria), as (name, status, detail).</param>
    /// <param name="findings">The findings.</param>
    public static string Summary(string title, string outcome, IEnumerable<(string Name, string Status, string Detail)> rows, IReadOnlyList<CiFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var md = new StringBuilder();
        md.Append("## ").Append(Cell(title)).Append(": ").Append(Cell(outcome)).Append("\n\n");
        var table = rows.ToList();
        if (table.Count > 0)
        {
            md.Append("| criterion | status | observed / target |\n|---|---|---|\n");
            foreach (var (name, status, detail) in table)
            {
                md.Append("| ").Append(Cell(name)).Append(" | ").Append(Cell(status)).Append(" | ").Append(Cell(detail)).Append(" |\n");
            }

            md.Append('\n');
        }

        var counts = Enum.GetValues<Severity>().Reverse().Select(s => $"{findings.Count(f => f.Severity == s)} {s.ToString().ToLowerInvariant()}");
        md.Append("Findings: ").Append(string.Join(", ", counts)).Append("\n\n");
        const int shown = 50;
        if (findings.Count > 0)
        {
            md.Append("| severity | rule | where | finding |\n|---|---|---|---|\n");
            foreach (var f in findings.Take(shown))
            {
                md.Append("| ").Append(f.Severity.ToString().ToLowerInvariant()).Append(" | ").Append(Cell(f.Rule)).Append(" | ")
                    .Append(Cell(f.Subject ?? (f.File is null ? string.Empty : $"{f.File}:{f.Line}"))).Append(" | ").Append(Cell(f.Message)).Append(" |\n");
            }

            if (findings.Count > shown)
            {
                md.Append('\n').Append((findings.Count - shown).ToString(CultureInfo.InvariantCulture)).Append(" more in the run's reports.\n");
            }
        }

        return md.ToString();
    }

    /// <summary>Appends the summary to <c>$GITHUB_STEP_SUMMARY</c> when that variable names a file; returns whether it did.</summary>
    public static bool AppendSummary(string markdown, Func<string, string?>? environment = null)
    {
        var path = (environment ?? Environment.GetEnvironmentVariable)("GITHUB_STEP_SUMMARY");
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        System.IO.File.AppendAllText(path, markdown + "\n");
        return true;
    }

    /// <summary>Text from a target inside a Markdown table cell: no line breaks, pipes and markup characters escaped.</summary>
    private static string Cell(string text)
    {
        var one = Printable.Escape(text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal));
        var sb = new StringBuilder(one.Length);
        foreach (var c in one)
        {
            if (c is '|' or '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '!')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}

/// <summary>
/// GitLab code quality (Code Climate subset) JSON: an array of issues with description, check_name, fingerprint,
/// severity (info, minor, major, critical, blocker) and location.path with location.lines.begin.
/// </summary>
public static class GitLabCodeQuality
{
    /// <summary>The report for <paramref name="findings"/>; fingerprints are stable across runs for the same finding.</summary>
    public static string Json(IEnumerable<CiFinding> findings, string defaultPath)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var issues = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            var path = f.File ?? defaultPath;
            var description = f.Subject is null ? f.Message : $"{f.Subject}: {f.Message}";
            var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{f.Rule}\n{path}\n{f.Subject}\n{f.Message}")))[..32];
            if (!seen.Add(fingerprint))
            {
                continue; // GitLab drops reports with duplicate fingerprints' issues as one anyway
            }

            issues.Add(new JsonObject
            {
                ["description"] = description,
                ["check_name"] = f.Rule,
                ["fingerprint"] = fingerprint,
                ["severity"] = f.Severity switch
                {
                    Severity.Critical => "blocker",
                    Severity.High => "critical",
                    Severity.Medium => "major",
                    Severity.Low => "minor",
                    _ => "info",
                },
                ["location"] = new JsonObject { ["path"] = path, ["lines"] = new JsonObject { ["begin"] = f.Line ?? 1 } },
            });
        }

        return issues.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
