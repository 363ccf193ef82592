using Archgate.Protocol;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// Live conformance against Prism serving real-world documents (Prism/README.md names their sources): a server
/// that answers only what its document allows gets no finding. Skipped, with the reason, only when npm or its
/// registry is not there.
/// </summary>
public sealed partial class PrismConformanceTests
{
    [SkippableTheory]
    [InlineData("petstore.yaml")]
    [InlineData("uspto.yaml")]
    [InlineData("link-example.yaml")]
    [InlineData("messaging.yaml")]
    public async Task A_mock_server_that_answers_what_its_document_allows_gets_no_finding(string file)
    {
        var (executable, skip) = await PrismMock.EnsureInstalledAsync();
        Skip.If(executable is null, skip);
        var document = Path.Combine(AppContext.BaseDirectory, "Contracts", "Conformance", "Prism", file);
        await using var prism = await PrismMock.StartAsync(executable!, document);

        // Prism serves every path at its root, whatever the document's server says; Archgate is given the
        // document without its servers so it calls the same paths.
        var text = ServersBlock().Replace(await File.ReadAllTextAsync(document), "");

        var result = await RunCheckAsync(text, prism.Port);

        // Prism's one deviation from HTTP: its 405 has no Allow header (RFC 9110), which AG2016 rightly notes. A POST
        // acting on an existing object (a merge, an update by POST) is left out with a note: it needs a fixture.
        var findings = result.Findings.Where(f => !(f.Rule == "AG2016" && f.Message.Contains("without an Allow header", StringComparison.Ordinal))
            && !(f.Rule == "AG2018" && f.Message.Contains("acts on an existing object", StringComparison.Ordinal))).ToList();
        var listed = string.Join("\n", findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} | {f.Message} | {f.Evidence}"));
        Assert.True(findings.Count == 0, $"{listed}\n--- prism:\n{Tail(prism.Output)}");
        Assert.NotEqual(CheckStatus.Fail, result.Status);
        Assert.True(result.Metrics.Single(m => m.Name == "contract_operations_tested").Value > 0);
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];

    [System.Text.RegularExpressions.GeneratedRegex(@"^servers:\n(?:[ -].*\n)+", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex ServersBlock();
}
