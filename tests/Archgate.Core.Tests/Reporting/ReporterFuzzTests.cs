using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Core.Tests.Reporting;

/// <summary>
/// Every reporter writes whatever a target answered: random bytes read as text (control characters, lone surrogates,
/// XML-forbidden characters, Markdown and HTML syntax) in every field of a run still make well-formed JSON and XML and
/// a Markdown report without raw control characters; the runner caps what a check quotes.
/// </summary>
public sealed class ReporterFuzzTests
{
    private static readonly string[] Pieces = ["<script>", "]]>", "</failure>", "|", "`", "\r\n", "&amp;", "\"", "\\", "{", "\u2028", "\uFFFE", "\uD800", "\uDC00", "😀"];

    private static string RandomText(Random random, int maxLength)
    {
        var text = new StringBuilder();
        var length = random.Next(maxLength);
        while (text.Length < length)
        {
            switch (random.Next(4))
            {
                case 0:
                    var bytes = new byte[random.Next(1, 16)];
                    random.NextBytes(bytes);
                    text.Append(Encoding.Latin1.GetString(bytes)); // every byte value, as a body read as Latin-1 would give
                    break;
                case 1:
                    text.Append((char)random.Next(0, 0x20)); // C0 controls, NUL included
                    break;
                case 2:
                    text.Append(Pieces[random.Next(Pieces.Length)]);
                    break;
                default:
                    text.Append((char)random.Next(0x20, 0xFFFF)); // anything in the BMP, surrogate halves included
                    break;
            }
        }

        return text.ToString();
    }

    private static RunRecord RandomRun(Random random)
    {
        var run = ReporterGoldenTests.SampleRun();
        var step = run.Steps[1];
        var check = step.Checks[0] with
        {
            Id = "services.health:" + RandomText(random, 40),
            Title = RandomText(random, 60),
            Reason = RandomText(random, 80),
            Findings =
            [
                step.Checks[0].Findings[0] with
                {
                    Component = RandomText(random, 20),
                    Location = RandomText(random, 60),
                    Message = RandomText(random, 200),
                    Evidence = RandomText(random, 2000),
                    Hint = RandomText(random, 60),
                },
            ],
        };
        return run with { System = RandomText(random, 30), Steps = [run.Steps[0], step with { Checks = [check, step.Checks[1]] }] };
    }

    private static async Task<string> RenderAsync(IReporter reporter, RunRecord run)
    {
        using var stream = new MemoryStream();
        await reporter.WriteAsync(run, stream, CancellationToken.None);
        return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(stream.ToArray()); // valid UTF-8, or this throws
    }

    [Fact]
    public async Task Random_text_in_every_field_still_makes_every_report_well_formed()
    {
        const int Seed = 20261203;
        var random = new Random(Seed);
        for (var i = 0; i < 150; i++)
        {
            var run = RandomRun(random);
            var context = $"seed {Seed}, case {i}";

            var json = await RenderAsync(new JsonReporter(), run);
            using (var parsed = JsonDocument.Parse(json))
            {
                Assert.Equal("NO-GO", parsed.RootElement.GetProperty("verdict").GetString());
            }

            var xml = XDocument.Parse(await RenderAsync(new JUnitReporter(), run));
            Assert.True(xml.Descendants("testcase").Count() >= 3, context);

            var md = await RenderAsync(new MarkdownReporter(), run);
            Assert.False(md.Any(c => c < 0x20 && c is not '\n' and not '\r' and not '\t'), context);
            Assert.DoesNotContain("<script>", md, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_runner_caps_quoted_evidence_and_messages_and_says_how_much_it_left_out()
    {
        var body = new string('x', 200_000);
        var result = new CheckResult
        {
            Id = "c",
            Title = "c",
            Status = CheckStatus.Fail,
            Reason = "why " + body,
            Findings = [new Finding { Rule = "AG0000", Severity = Severity.High, Message = "message " + body, Evidence = "😀" + body }],
        };

        var masked = ResultMasking.Mask(result);

        var finding = Assert.Single(masked.Findings);
        Assert.True(finding.Evidence!.Length < ResultMasking.MaxEvidence + 100);
        Assert.EndsWith(" … (167,234 more characters not kept)", finding.Evidence, StringComparison.Ordinal);
        Assert.True(finding.Message.Length < ResultMasking.MaxMessage + 100);
        Assert.Contains("more characters not kept", masked.Reason, StringComparison.Ordinal);
        Assert.Equal("x", ResultMasking.Cap("x", 1));
        Assert.Equal("a … (2 more characters not kept)", ResultMasking.Cap("a\uD83D\uDE00", 2)); // not between the halves of a pair
    }
}
