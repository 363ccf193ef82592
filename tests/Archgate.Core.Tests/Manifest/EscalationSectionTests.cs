using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Tests.Manifest;

public sealed class EscalationSectionTests
{
    private static string Manifest(string escalation) => $$"""
        version: 1
        system: { name: s, owners: { architect: alice@example.test } }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:9", owner: lead@example.test }
        escalation:
        {{escalation}}
        """;

    private static IReadOnlyList<string> Errors(string escalation)
    {
        var result = ManifestLoader.Parse(Manifest(escalation), "archgate.yaml", "/tmp/archgate.yaml", "0", n => n == "SMTP_PASSWORD" ? "s3cret" : null);
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Fact]
    public void Without_the_new_keys_the_defaults_hold_and_a_plain_webhook_url_is_archgate_json()
    {
        var policy = TestSystems.Load(Manifest("  channels: [ { console: true }, { webhook: \"http://127.0.0.1:9/hook\" } ]\n  owners: { 3: [ cto@example.test ] }")).Escalation;

        Assert.Equal(WebhookFormat.Json, policy.Channels[1].Format);
        Assert.Equal(new Dictionary<int, TimeSpan> { [2] = TimeSpan.FromHours(4), [3] = TimeSpan.FromHours(24) }, policy.AckWithin);
        Assert.Empty(policy.Executive);
        Assert.Equal(256L * 1024 * 1024, policy.Resources.DiskFree);
        Assert.Null(policy.Resources.Cpu);
    }

    [Fact]
    public void Every_new_key_is_read_webhook_formats_email_with_credentials_from_the_environment_ackWithin_executive_and_resources()
    {
        var system = TestSystems.Load(Manifest("""
              channels:
                - { webhook: { url: "http://127.0.0.1:9/slack", format: slack } }
                - { webhook: { url: "http://127.0.0.1:9/teams", format: teams } }
                - { email: { host: 127.0.0.1, port: 2525, from: archgate@example.test, to: [ops@example.test], starttls: true, user: bot, password: "${SMTP_PASSWORD}" } }
              executive: cto@example.test
              ackWithin: { 1: 30m, 2: 2h, 3: 12h }
              resources: { cpu: 80%, memory: 512MiB, diskFree: 2GiB }
            """), new Dictionary<string, string> { ["SMTP_PASSWORD"] = "s3cret" });
        var policy = system.Escalation;

        Assert.Equal([WebhookFormat.Slack, WebhookFormat.Teams], policy.Channels.Take(2).Select(c => c.Format));
        var email = policy.Channels[2].Email!;
        Assert.Equal(("127.0.0.1", 2525, "archgate@example.test", true, "bot", "s3cret"), (email.Host, email.Port, email.From, email.StartTls, email.User, email.Password));
        Assert.Equal(["ops@example.test"], email.To);
        Assert.Contains("s3cret", system.DeclaredSecrets); // masked wherever it would show
        Assert.Equal(["cto@example.test"], policy.Executive);
        Assert.Equal([TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(12)], policy.AckWithin.OrderBy(a => a.Key).Select(a => a.Value));
        Assert.Equal((0.8, 512L * 1024 * 1024, 2L * 1024 * 1024 * 1024), (policy.Resources.Cpu, policy.Resources.Memory, policy.Resources.DiskFree));
    }

    [Fact]
    public void Every_mistake_is_reported_with_where_it_is()
    {
        var errors = Errors("""
              channels:
                - { webhook: { url: "http://127.0.0.1:9/x", format: discord } }
                - { webhook: "ftp://example.test/x" }
                - { email: { host: 127.0.0.1, from: nobody, user: bot } }
              ackWithin: { 4: 1h }
              resources: { memory: lots }
            """);

        Assert.Contains(errors, e => e.Contains("escalation.channels[0].webhook.format", StringComparison.Ordinal) && e.Contains("unknown webhook format 'discord'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("escalation.channels[1].webhook", StringComparison.Ordinal) && e.Contains("invalid webhook URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("escalation.channels[2].email.password", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("escalation.channels[2].email.from", StringComparison.Ordinal) && e.Contains("not an e-mail address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("escalation.ackWithin", StringComparison.Ordinal) && e.Contains("4 is out of range", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("escalation.resources.memory", StringComparison.Ordinal) && e.Contains("invalid size 'lots'", StringComparison.Ordinal));
        Assert.Equal(6, errors.Count);
    }
}
