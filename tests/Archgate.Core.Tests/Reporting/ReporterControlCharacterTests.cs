using System.Text;
using System.Xml.Linq;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Core.Tests.Reporting;

/// <summary>Control characters from a target (or a manifest) never break a report nor reach a terminal that shows it.</summary>
public sealed class ReporterControlCharacterTests
{
    private const string Hostile = "api\u001b[2J\u0000\u0007 body";

    private static RunRecord HostileRun()
    {
        var run = ReporterGoldenTests.SampleRun();
        var step = run.Steps[1];
        var check = step.Checks[0] with
        {
            Id = "services.health:" + Hostile,
            Findings = [step.Checks[0].Findings[0] with { Component = Hostile, Message = "answered " + Hostile + "\uD800\uFFFE", Evidence = "line 1\r\n" + Hostile }],
        };
        return run with { System = Hostile, Steps = [run.Steps[0], step with { Checks = [check, step.Checks[1]] }] };
    }

    private static async Task<string> RenderAsync(IReporter reporter)
    {
        using var stream = new MemoryStream();
        await reporter.WriteAsync(HostileRun(), stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData("junit")]
    [InlineData("md")]
    [InlineData("json")]
    public async Task Control_characters_are_escaped_in_every_report(string format)
    {
        var text = await RenderAsync(Reporters.Find(format)!);

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0000', text);
        Assert.DoesNotContain('\u0007', text);
    }

    [Fact]
    public async Task Junit_with_control_characters_is_well_formed_xml_showing_them_escaped()
    {
        var xml = XDocument.Parse(await RenderAsync(new JUnitReporter()));

        Assert.Contains(xml.Descendants("testcase"), t => t.Attribute("name")!.Value == "services.health:api\\e[2J\\0\\x07 body");
    }
}
