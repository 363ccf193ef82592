using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>Output formats of a <see cref="DiffReport"/>.</summary>
public enum DiffReportFormat
{
    /// <summary>A markdown summary and table, readable in a terminal and in a pull-request comment.</summary>
    Markdown,

    /// <summary>The JSON shape documented in docs/contract-diff.md (<c>schemaVersion</c> 1).</summary>
    Json,

    /// <summary>JUnit XML: one test case per change, failed when at or above the gate level.</summary>
    Junit,
}

/// <summary>Writes a <see cref="DiffReport"/>; changes come most severe first, in document order within a level.</summary>
public static class DiffReportWriter
{
    /// <summary>Renders <paramref name="report"/> as text.</summary>
    /// <param name="report">The report.</param>
    /// <param name="format">The format.</param>
    /// <param name="failOn">The gate level; JUnit marks changes at or above it as failures.</param>
    public static string Render(DiffReport report, DiffReportFormat format, ChangeLevel failOn = ChangeLevel.Err)
    {
        ArgumentNullException.ThrowIfNull(report);
        var changes = report.Changes.OrderByDescending(c => c.Level).ToList();
        return format switch
        {
            DiffReportFormat.Json => Json(report, changes),
            DiffReportFormat.Junit => Junit(report, changes, failOn),
            _ => Markdown(report, changes),
        };
    }

    /// <summary>Writes <paramref name="report"/> to <paramref name="writer"/>.</summary>
    public static async Task WriteAsync(DiffReport report, DiffReportFormat format, TextWriter writer, ChangeLevel failOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteAsync(Render(report, format, failOn).AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    private static string Summary(DiffReport report) =>
        report.Changes.Count == 0
            ? "No changes."
            : string.Create(CultureInfo.InvariantCulture, $"{report.Changes.Count} change{(report.Changes.Count == 1 ? "" : "s")}: {report.Count(ChangeLevel.Err)} ERR, {report.Count(ChangeLevel.Warn)} WARN, {report.Count(ChangeLevel.Info)} INFO");

    private static string Markdown(DiffReport report, List<ApiChange> changes)
    {
        var text = new StringBuilder();
        text.Append("# Contract diff\n\n").Append(Summary(report)).Append('\n');
        if (report.Warnings.Count > 0)
        {
            text.Append("\nRead past ").Append(report.Warnings.Count.ToString(CultureInfo.InvariantCulture))
                .Append(report.Warnings.Count == 1 ? " problem" : " problems").Append(" of validity in the documents:\n\n");
            foreach (var warning in report.Warnings)
            {
                text.Append("- ").Append(Cell(warning.ToString())).Append('\n');
            }
        }

        if (changes.Count == 0)
        {
            return text.ToString();
        }

        text.Append("\n| Level | Rule | Code | Operation | Location | Change |\n|---|---|---|---|---|---|\n");
        foreach (var c in changes)
        {
            text.Append("| ").Append(c.Level.ToLabel())
                .Append(" | ").Append(Cell(c.RuleId))
                .Append(" | ").Append(c.Code)
                .Append(" | ").Append(Cell(c.Operation))
                .Append(" | ").Append(Cell(c.Location))
                .Append(" | ").Append(Cell(c.Message))
                .Append(" |\n");
        }

        return text.ToString();
    }

    private static string Cell(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Json(DiffReport report, List<ApiChange> changes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 1);
            json.WriteStartObject("summary");
            json.WriteNumber("err", report.Count(ChangeLevel.Err));
            json.WriteNumber("warn", report.Count(ChangeLevel.Warn));
            json.WriteNumber("info", report.Count(ChangeLevel.Info));
            json.WriteEndObject();
            json.WriteStartArray("changes");
            foreach (var c in changes)
            {
                json.WriteStartObject();
                json.WriteString("id", c.RuleId);
                json.WriteString("code", c.Code);
                json.WriteString("level", c.Level.ToLabel());
                json.WriteString("operation", c.Operation);
                json.WriteString("location", c.Location);
                json.WriteString("message", c.Message);
                json.WriteString("old", c.OldValue);
                json.WriteString("new", c.NewValue);
                json.WriteString("oasdiff", c.Alias);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("warnings");
            foreach (var w in report.Warnings)
            {
                json.WriteStartObject();
                json.WriteString("file", w.File);
                if (w.Line is { } line)
                {
                    json.WriteNumber("line", line);
                    json.WriteNumber("column", w.Column ?? 1);
                }

                json.WriteString("pointer", w.JsonPointer);
                json.WriteString("message", w.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static string Junit(DiffReport report, List<ApiChange> changes, ChangeLevel failOn)
    {
        var failures = changes.Count(c => c.Level >= failOn);
        var suite = new XElement("testsuite",
            new XAttribute("name", "archgate diff"),
            new XAttribute("tests", Math.Max(changes.Count, 1)),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0));
        if (changes.Count == 0)
        {
            suite.Add(new XElement("testcase", new XAttribute("classname", "contract"), new XAttribute("name", "no changes")));
        }

        foreach (var c in changes)
        {
            var testCase = new XElement("testcase",
                new XAttribute("classname", c.Operation),
                new XAttribute("name", $"{c.RuleId} {c.Location}"));
            if (c.Level >= failOn)
            {
                testCase.Add(new XElement("failure",
                    new XAttribute("type", c.Level.ToLabel()),
                    new XAttribute("message", c.Message),
                    $"{c.Code} {c.RuleId}: {c.Message}"));
            }
            else
            {
                testCase.Add(new XElement("system-out", $"{c.Level.ToLabel()} {c.Code} {c.RuleId}: {c.Message}"));
            }

            suite.Add(testCase);
        }

        if (report.Warnings.Count > 0)
        {
            suite.Add(new XElement("system-err", string.Join("\n", report.Warnings.Select(w => $"warning: {w}"))));
        }

        var document = new XDocument(new XElement("testsuites", suite));
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" }))
        {
            document.Save(xml);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
