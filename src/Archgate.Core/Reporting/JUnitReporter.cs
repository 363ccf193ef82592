using System.Globalization;
using System.Xml;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>junit.xml: one test suite per step, one test case per check, failures carry the findings.</summary>
public sealed class JUnitReporter : IReporter
{
    /// <inheritdoc />
    public string Name => "junit";

    /// <inheritdoc />
    public string FileName => "junit.xml";

    /// <inheritdoc />
    /// <remarks>Control characters (ESC, NUL, ...) cannot be written in XML 1.0 at all: every text is escaped with <see cref="Printable"/>.</remarks>
    public async Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken)
    {
        var settings = new XmlWriterSettings { Async = true, Indent = true, Encoding = new System.Text.UTF8Encoding(false) };
        await using var xml = XmlWriter.Create(output, settings);
        await xml.WriteStartDocumentAsync();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", Printable.Escape($"archgate {run.System} {run.RunId}"));
        var all = run.Steps.SelectMany(s => s.Checks).ToList();
        WriteCounts(xml, all, run.Steps.Sum(s => s.DurationMs));
        foreach (var step in run.Steps)
        {
            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", Printable.Escape($"{step.Number}. {step.Name}"));
            WriteCounts(xml, step.Checks, step.DurationMs);
            foreach (var check in step.Checks)
            {
                WriteCase(xml, step, check);
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        await xml.WriteEndDocumentAsync();
        await xml.FlushAsync();
    }

    private static void WriteCounts(XmlWriter xml, IReadOnlyList<CheckResult> checks, long durationMs)
    {
        xml.WriteAttributeString("tests", checks.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", checks.Count(c => c.Status == CheckStatus.Fail).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", checks.Count(c => c.Status == CheckStatus.Error).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", checks.Count(c => c.Status == CheckStatus.Skipped).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("time", (durationMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture));
    }

    private static void WriteCase(XmlWriter xml, StepResult step, CheckResult check)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("classname", $"archgate.step{step.Number}");
        xml.WriteAttributeString("name", Printable.Escape(check.Id));
        xml.WriteAttributeString("time", (check.DurationMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture));
        var findings = string.Join("\n", check.Findings.Select(f =>
            $"[{f.Rule} {f.Severity.ToString().ToLowerInvariant()}] {f.Component}{(f.Location is null ? string.Empty : " " + f.Location)}: {f.Message}{(f.Hint is null ? string.Empty : $" (hint: {f.Hint})")}"));
        switch (check.Status)
        {
            case CheckStatus.Fail:
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", Printable.Escape(check.Findings.Count > 0 ? check.Findings[0].Message : "failed"));
                xml.WriteString(Printable.EscapeLines(findings));
                xml.WriteEndElement();
                break;
            case CheckStatus.Error:
                xml.WriteStartElement("error");
                xml.WriteAttributeString("message", Printable.Escape(check.Reason ?? "error"));
                xml.WriteEndElement();
                break;
            case CheckStatus.Skipped:
                xml.WriteStartElement("skipped");
                xml.WriteAttributeString("message", Printable.Escape(check.Reason ?? "skipped"));
                xml.WriteEndElement();
                break;
            default:
                if (findings.Length > 0)
                {
                    xml.WriteElementString("system-out", Printable.EscapeLines(findings));
                }

                break;
        }

        xml.WriteEndElement();
    }
}
