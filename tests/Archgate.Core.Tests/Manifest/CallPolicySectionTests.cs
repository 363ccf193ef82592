using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

/// <summary>A call policy's <c>fallback</c> says whether the work taken during an outage is owed afterwards.</summary>
public sealed class CallPolicySectionTests
{
    private static ManifestLoadResult Load(string fallback) => ManifestLoader.Parse($$"""
        version: 1
        system: { name: s }
        components:
          - { name: sms, kind: third-party, url: "http://127.0.0.1:2", policy: { timeout: 2s, retries: 0, backoff: none, fallback: {{fallback}} } }
          - { name: notify, kind: service, url: "http://127.0.0.1:1", dependsOn: [sms] }
        """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

    [Theory]
    [InlineData("queue", true)]
    [InlineData("outbox", true)]
    [InlineData("degrade", false)]
    [InlineData("Drop", false)]
    [InlineData("cache", false)]
    public void A_queueing_fallback_owes_the_work_and_a_best_effort_one_does_not(string fallback, bool owes)
    {
        var result = Load(fallback);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(owes, result.Model!.Find<ThirdPartyComponent>("sms")!.Policy!.OwesWork);
    }

    [Fact]
    public void An_unknown_fallback_is_an_error_at_its_line_with_the_closest_value()
    {
        var result = Load("degraded");

        var error = Assert.Single(result.Errors).ToString();
        Assert.StartsWith("archgate.yaml:4:", error, StringComparison.Ordinal);
        Assert.Contains("components.sms.policy.fallback: unknown fallback 'degraded'", error, StringComparison.Ordinal);
        Assert.Contains("did you mean 'degrade'?", error, StringComparison.Ordinal);
    }
}
