using Archgate.Checks.Tests.Fixtures;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Core.Tests.Judging;

public sealed class EscalationNotifierTests
{
    private static RunRecord Run(params Escalation[] escalations) => new()
    {
        RunId = "r1",
        System = "shop",
        ManifestPath = "/m",
        ManifestSha256 = "x",
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(1),
        Verdict = Verdict.NoGo,
        Escalations = escalations,
    };

    [Fact]
    public async Task The_file_channel_gets_one_json_line_per_escalation_with_the_owners_of_its_level()
    {
        var file = Path.Combine(Path.GetTempPath(), $"archgate-esc-{Guid.NewGuid():N}", "escalations.log");
        var policy = new EscalationPolicy
        {
            Channels = [new EscalationChannel("console", null), new EscalationChannel("file", file)],
            Owners = new Dictionary<int, IReadOnlyList<string>> { [3] = ["alice@example.test"] },
        };
        using var http = new HttpClient();

        var deliveries = await EscalationNotifier.NotifyAsync(Run(new Escalation("dependent-services-failing", 3, "4 services failing"), new Escalation("contract-mismatch-rate", 2, "25 %")), policy, http, TimeProvider.System, CancellationToken.None);

        Assert.True(Assert.Single(deliveries).Delivered);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("dependent-services-failing", first.RootElement.GetProperty("trigger").GetString());
        Assert.Equal("alice@example.test", first.RootElement.GetProperty("notify")[0].GetString());
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task The_webhook_channel_posts_the_run_and_a_failing_hook_is_reported_not_thrown()
    {
        var received = new TaskCompletionSource<string>();
        var server = new LocalHttpServer(async context =>
        {
            received.TrySetResult((await LocalHttpServer.ReadAsync(context)).Body);
            await LocalHttpServer.WriteAsync(context, 204, [], "text/plain");
        });
        var policy = new EscalationPolicy { Channels = [new EscalationChannel("webhook", $"http://127.0.0.1:{server.Port}/hook?token=abc")] };
        using var http = new HttpClient();

        var delivery = Assert.Single(await EscalationNotifier.NotifyAsync(Run(new Escalation("critical-vulnerability", 4, "sqli")), policy, http, TimeProvider.System, CancellationToken.None));

        Assert.True(delivery.Delivered);
        Assert.DoesNotContain("abc", delivery.Target, StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await received.Task);
        Assert.Equal("NO-GO", body.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(4, body.RootElement.GetProperty("escalations")[0].GetProperty("level").GetInt32());

        server.Dispose();
        var failed = Assert.Single(await EscalationNotifier.NotifyAsync(Run(new Escalation("x", 1, "y")), policy, http, TimeProvider.System, CancellationToken.None));
        Assert.False(failed.Delivered);
        Assert.NotNull(failed.Error);
    }

    [Fact]
    public async Task Nothing_is_sent_without_escalations()
    {
        using var http = new HttpClient();
        Assert.Empty(await EscalationNotifier.NotifyAsync(Run(), new EscalationPolicy { Channels = [new EscalationChannel("file", "/nonexistent/x")] }, http, TimeProvider.System, CancellationToken.None));
    }
}
