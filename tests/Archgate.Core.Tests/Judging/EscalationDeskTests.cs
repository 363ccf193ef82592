using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Judging;

/// <summary>The lifecycle in the run store: raised and routed by level, risen when not acknowledged in time, acknowledged, failed deliveries recorded and retried.</summary>
public sealed class EscalationDeskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-desk-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<JsonDocument> _posts = [];
    private readonly LocalHttpServer _hook;

    public EscalationDeskTests()
    {
        _hook = new LocalHttpServer(async context =>
        {
            var body = (await LocalHttpServer.ReadAsync(context)).Body;
            lock (_posts)
            {
                _posts.Add(JsonDocument.Parse(body));
            }

            await LocalHttpServer.WriteAsync(context, 204, [], "text/plain");
        });
    }

    public void Dispose()
    {
        _hook.Dispose();
        foreach (var post in _posts)
        {
            post.Dispose();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static SystemModel Shop(int webhookPort) => TestSystems.Load($$"""
        version: 1
        system: { name: shop, owners: { architect: alice@example.test } }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:7101", owner: api-lead@example.test }
          - { name: db, kind: database, connection: "Data Source=shop.db", owner: dba@example.test }
        escalation:
          channels: [ { webhook: "http://127.0.0.1:{{webhookPort}}/hook" } ]
          owners: { 2: [ coordinator@example.test ] }
          executive: cto@example.test
          ackWithin: { 2: 4h, 3: 24h }
        """);

    private (RunStore Store, EscalationDesk Desk, HttpClient Http) Open()
    {
        var store = RunStore.Open(Path.Combine(_dir, "archgate.db"), _time);
        var http = new HttpClient();
        return (store, new EscalationDesk(store, new EscalationNotifier(http, _time, new NotifierOptions { FirstBackoff = TimeSpan.Zero, Attempts = 2 }), _time), http);
    }

    private RunRecord Run(RunStore store)
    {
        var run = new RunRecord { RunId = "r1", System = "shop", ManifestPath = "/m", ManifestSha256 = "abc", StartedAt = _time.GetUtcNow(), Verdict = Verdict.NoGo };
        store.SaveRun(run);
        return run;
    }

    private List<JsonElement> Escalations()
    {
        lock (_posts)
        {
            return [.. _posts.Select(p => p.RootElement.GetProperty("escalations")[0])];
        }
    }

    [Fact]
    public async Task An_unacknowledged_escalation_rises_a_level_after_ackWithin_is_notified_again_and_stops_rising_once_acknowledged()
    {
        var (store, desk, http) = Open();
        using (store)
        using (http)
        {
            var system = Shop(_hook.Port);
            var run = Run(store);
            var raised = await desk.RaiseAsync(system, run, [new Escalation("contract-mismatch-rate", 2, "api mismatches 40 %") { Components = ["api"], Evidence = ["m = 0.4"] }],
                EscalationDesk.Automatic, null, "/out/r1/integration-validation-report.md", CancellationToken.None);

            var escalation = Assert.Single(raised.Escalations);
            Assert.Matches("^e-[0-9a-f]{10}$", escalation.Id);
            Assert.Equal(EscalationState.Open, escalation.State);
            var first = Assert.Single(Escalations());
            Assert.Equal(["api-lead@example.test", "coordinator@example.test"], first.GetProperty("notify").EnumerateArray().Select(e => e.GetString()));
            var notice = Assert.Single(escalation.Notices);
            Assert.True(notice.Delivered);
            Assert.Equal(["api-lead@example.test", "coordinator@example.test"], notice.Recipients);

            _time.Advance(TimeSpan.FromHours(3));
            Assert.Empty((await desk.TickAsync(_ => new EscalationContext(system, null), null, CancellationToken.None)).Escalations);
            Assert.Single(Escalations());

            _time.Advance(TimeSpan.FromHours(1));
            var risen = Assert.Single((await desk.TickAsync(_ => new EscalationContext(system, null), null, CancellationToken.None)).Escalations);
            Assert.Equal((2, 3), (risen.StartLevel, risen.Level));
            Assert.Equal(2, Escalations().Count);
            Assert.Equal(3, Escalations()[1].GetProperty("level").GetInt32());
            Assert.Equal(["alice@example.test"], Escalations()[1].GetProperty("notify").EnumerateArray().Select(e => e.GetString())); // the System-Architect

            var (acked, error) = desk.Acknowledge(escalation.Id[..6], "alice", "looking into the contract");
            Assert.Null(error);
            Assert.Equal(EscalationState.Acknowledged, acked!.State);
            Assert.Equal(("alice", "looking into the contract"), (acked.AckedBy, acked.AckNote));
            Assert.NotNull(desk.Acknowledge(escalation.Id, "bob", null).Error); // once

            _time.Advance(TimeSpan.FromDays(3));
            Assert.Empty((await desk.TickAsync(_ => new EscalationContext(system, null), null, CancellationToken.None)).Escalations);
            var stored = store.FindEscalation(escalation.Id)!;
            Assert.Equal(3, stored.Level);
            Assert.Equal(2, stored.Notices.Count);
        }
    }

    [Fact]
    public async Task Level_3_without_acknowledgement_reaches_the_executive_and_level_4_never_rises()
    {
        var (store, desk, http) = Open();
        using (store)
        using (http)
        {
            var system = Shop(_hook.Port);
            await desk.RaiseAsync(system, Run(store), [new Escalation("data-integrity-violation", 3, "orphans")], EscalationDesk.Automatic, null, null, CancellationToken.None);

            _time.Advance(TimeSpan.FromHours(24));
            await desk.TickAsync(_ => new EscalationContext(system, null), "shop", CancellationToken.None);
            _time.Advance(TimeSpan.FromDays(30));
            await desk.TickAsync(_ => new EscalationContext(system, null), "shop", CancellationToken.None);

            Assert.Equal([3, 4], Escalations().Select(e => e.GetProperty("level").GetInt32()));
            Assert.Equal("cto@example.test", Escalations()[1].GetProperty("notify")[0].GetString());
            Assert.Equal(4, Assert.Single(store.Escalations("r1")).Level);
        }
    }

    [Fact]
    public async Task Level_1_is_recorded_only_and_a_manual_escalation_is_recorded_with_who_raised_it()
    {
        var (store, desk, http) = Open();
        using (store)
        using (http)
        {
            var system = Shop(_hook.Port);
            var run = Run(store);
            var recovered = Assert.Single((await desk.RaiseAsync(system, run, [new Escalation("self-recovery", 1, "retried and recovered")], EscalationDesk.Automatic, null, null, CancellationToken.None)).Escalations);
            var manual = Assert.Single((await desk.RaiseAsync(system, run, [new Escalation("vendor", ManualTriggers.Levels["vendor"], "sandbox down")], EscalationDesk.Manual, "bob", null, CancellationToken.None)).Escalations);

            Assert.Equal(EscalationState.Recorded, recovered.State);
            Assert.Empty(recovered.Notices);
            Assert.Equal(("manual", "bob", 2), (manual.Source, manual.RaisedBy, manual.Level));
            Assert.Equal("vendor", Assert.Single(Escalations()).GetProperty("trigger").GetString());
            _time.Advance(TimeSpan.FromDays(10));
            await desk.TickAsync(_ => new EscalationContext(system, null), null, CancellationToken.None);
            Assert.Equal(1, store.FindEscalation(recovered.Id)!.Level); // level 1 has no ackWithin by default
        }
    }

    [Fact]
    public async Task A_delivery_that_fails_is_recorded_with_its_error_and_the_next_tick_delivers_it()
    {
        var (store, desk, http) = Open();
        using (store)
        using (http)
        {
            var port = FreePort.Next();
            var system = Shop(port);
            var raised = await desk.RaiseAsync(system, Run(store), [new Escalation("critical-vulnerability", 4, "sqli")], EscalationDesk.Automatic, null, null, CancellationToken.None);

            var failed = Assert.Single(raised.Deliveries);
            Assert.False(failed.Delivered);
            var stored = store.FindEscalation(raised.Escalations[0].Id)!;
            var undelivered = Assert.Single(stored.Undelivered);
            Assert.Equal((2, "webhook"), (undelivered.Attempts, undelivered.Channel));
            Assert.NotNull(undelivered.Error);

            // The receiver comes back on the same port; the tick delivers what was not.
            using var back = new LocalHttpServerOnPort(port);
            var tick = await desk.TickAsync(_ => new EscalationContext(system, null), null, CancellationToken.None);

            Assert.True(Assert.Single(tick.Deliveries).Delivered, tick.Deliveries[0].Error);
            Assert.Empty(store.FindEscalation(stored.Id)!.Undelivered);
            Assert.Equal(1, back.Requests);
        }
    }

    /// <summary>A receiver on a given port (the one the failed delivery was aimed at).</summary>
    private sealed class LocalHttpServerOnPort : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private int _requests;

        public LocalHttpServerOnPort(int port)
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        Interlocked.Increment(ref _requests);
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                }
            });
        }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose() => _listener.Close();
    }
}
