using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Faults;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.ThirdParty;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>The timeout, retry and call checks against a payments-shaped caller and a provider behind Archgate's proxy.</summary>
public sealed class EdgeChecksTests
{
    private static readonly EdgeExerciseOptions Quick = new() { FirstCallWait = TimeSpan.FromSeconds(3), Settle = TimeSpan.FromMilliseconds(200) };

    private sealed record Run(CheckResult Result, FaultProxy Proxy);

    /// <summary>Runs <paramref name="make"/>'s check on payments → gateway, the provider answering as <paramref name="provider"/> does.</summary>
    private static async Task<Run> RunAsync(Func<ProviderEdge, ICheck> make, CallerBehaviour behaviour, Func<Received, Reply>? provider = null, bool stalling = false, bool proxied = true, string ledger = "", string fallback = "queue",
        string drive = "{ request: POST /orders }")
    {
        using var echo = stalling ? null : new ScriptedHttpServer(provider ?? (_ => new Reply(202, "{\"id\":\"ch_1\"}")));
        using var stall = stalling ? new StallingServer(Stall.Silent) : null;
        var port = echo?.Port ?? stall!.Port;
        await using var edges = new EdgeProxies();
        var address = edges.Open("payments", "gateway", new Uri($"http://127.0.0.1:{port}"));
        using var caller = new FakeProviderCaller(address, behaviour);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: gateway, kind: third-party, url: "http://127.0.0.1:{{port}}", policy: { timeout: 3s, retries: 3, backoff: exponential, fallback: {{fallback}} }{{ledger}} }
              - { name: payments, kind: service, url: "http://127.0.0.1:{{caller.Port}}", dependsOn: [gateway], critical: true }
              - { name: api, kind: service, url: "http://127.0.0.1:{{caller.Port}}", dependsOn: [payments] }
            edges:
              - from: payments
                to: gateway
                calls: /charges
                drive: {{drive}}
                fallback: { status: [201], within: 5s }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = proxied ? edges : null };
        var edge = ProviderEdge.ThirdParties(system, [system.Find<Archgate.Model.ThirdPartyComponent>("gateway")!]).Single();
        var result = await make(edge).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        return new Run(result, edges.Find(new Edge("payments", "gateway"))!);
    }

    private static ICheck Retry(ProviderEdge e) => new RetryCheck(e, 6, Quick);

    private static ICheck Timeout(ProviderEdge e) => new TimeoutCheck(e, 6, Quick);

    private static ICheck Calls(ProviderEdge e) => new ProviderCallCheck(e, Quick);

    [Fact]
    public async Task Retries_that_back_off_with_jitter_and_one_key_and_queued_work_that_completes_pass()
    {
        // The caller's growing waits are the premise: with 100 ms, 200 ms and 400 ms (±40 %), a loaded machine that adds
        // a few hundred ms to each wait flattens them (ci13: 0.26 s, 0.32 s, 0.32 s), and the check rightly sees no
        // backoff. A run whose waits at the proxy were not the caller's is taken again, at most three times; a run
        // whose waits were the caller's and that the check fails still fails the test.
        var caller = new CallerBehaviour();
        Run run;
        var attempt = 0;
        do
        {
            run = await RunAsync(Retry, caller);
        }
        while (run.Result.Status != CheckStatus.Pass && !BackedOff(run.Proxy.Counters.Requests, caller.BaseDelay) && ++attempt < 3);

        Assert.True(run.Result.Status == CheckStatus.Pass, string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Severity}: {f.Message}\n{f.Evidence}")));
        Assert.Contains(run.Result.Findings, f => f.Rule == "AG6025");
        var queued = Assert.Single(run.Result.Findings, f => f.Rule == "AG6031");
        Assert.Contains("completed by itself", queued.Message, StringComparison.Ordinal);
        Assert.Contains("key order-2: 4 attempts", run.Result.Findings.First(f => f.Rule == "AG6025").Evidence, StringComparison.Ordinal); // order-1 was the baseline call
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_caller_that_never_retries_and_resends_at_a_fixed_pace_fails_for_no_backoff()
    {
        // The caller's pace is its premise: a machine stalled for seconds (ci6: 30 runnable threads on 2 cores) stretches
        // some of its 700 ms waits and makes them look like a backoff. A run whose waits at the proxy were not that pace
        // is taken again, at most three times; a run at the pace that the check passes fails the test.
        var pace = TimeSpan.FromMilliseconds(700);
        Run run;
        var attempt = 0;
        do
        {
            run = await RunAsync(Retry, new CallerBehaviour { Retries = 0, Requeue = pace });
        }
        // ci32 (a demo run beside the suite): the run failed for too many attempts (AG6020) with its waits off the pace, and
        // no AG6022: a run off the pace is taken again whatever else it found.
        while (!run.Result.Findings.Any(f => f.Rule == "AG6022") && !AtPace(run.Proxy.Counters.Requests, pace) && ++attempt < 3);

        Assert.Equal(CheckStatus.Fail, run.Result.Status);
        var finding = Assert.Single(run.Result.Findings, f => f.Rule == "AG6022");
        Assert.Contains("no backoff", finding.Message, StringComparison.Ordinal);
        Assert.Contains("attempts at the proxy", finding.Evidence, StringComparison.Ordinal);
        // Flat waits all under 1 s rest on every round allowed; a stall that stretched one wait past 1 s (ci20) lets the
        // verdict come from round 2, as the rule says.
        var waits = run.Proxy.Counters.Requests.Where(r => r.Fault is not null).OrderBy(r => r.At).GroupBy(r => r.IdempotencyKey)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => b.At - a.At)).ToList();
        if (waits.All(w => w < TimeSpan.FromSeconds(1)))
        {
            Assert.Contains("round 4", finding.Evidence, StringComparison.Ordinal);
        }

        Assert.Empty(run.Proxy.Toxics);
    }

    /// <summary>
    /// Whether every wait between attempts of one key that failed at the proxy was the caller's: retry k's wait within
    /// the jitter of <paramref name="baseDelay"/> × 2^(k-1) (±40 %), plus 100 ms for the attempt itself.
    /// </summary>
    private static bool BackedOff(IReadOnlyList<ProxiedRequest> requests, TimeSpan baseDelay) =>
        requests.Where(r => r.Fault is not null).OrderBy(r => r.At).GroupBy(r => r.IdempotencyKey)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => b.At - a.At).Select((wait, k) => (Wait: wait.TotalMilliseconds, Planned: baseDelay.TotalMilliseconds * Math.Pow(2, k))))
            .All(w => w.Wait >= 0.6 * w.Planned && w.Wait <= (1.4 * w.Planned) + 100);

    /// <summary>Whether every wait between attempts of one key that failed at the proxy was <paramref name="pace"/> (within 40 %).</summary>
    private static bool AtPace(IReadOnlyList<ProxiedRequest> requests, TimeSpan pace) =>
        requests.Where(r => r.Fault is not null).OrderBy(r => r.At).GroupBy(r => r.IdempotencyKey)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => b.At - a.At))
            .All(w => Math.Abs((w - pace).TotalMilliseconds) <= 0.4 * pace.TotalMilliseconds);

    [Fact]
    public async Task Work_dropped_after_the_retries_is_lost_and_critical()
    {
        var run = await RunAsync(Retry, new CallerBehaviour { Requeue = null });

        var finding = Assert.Single(run.Result.Findings, f => f.Rule == "AG6030");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains("never completed within 5.00 s", finding.Message, StringComparison.Ordinal);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_round_the_caller_refuses_outright_is_refused_work_not_lost_work()
    {
        // Order 1 is the baseline, order 2 round 1 (taken, queued, completed), order 3 round 2: refused with 503 and no
        // call made. Nothing was taken in round 2, so nothing was lost; the refusal itself is the finding.
        var run = await RunAsync(Retry, new CallerBehaviour { RefuseFrom = 3 });

        var details = string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Severity}: {f.Message}\n{f.Evidence}"));
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6030");
        var refused = Assert.Single(run.Result.Findings, f => f.Rule == "AG6032");
        Assert.Equal(Severity.Critical, refused.Severity); // payments is critical
        Assert.Contains("POST /orders was refused in round 2 (503 in", refused.Message, StringComparison.Ordinal);
        Assert.Contains("instead of its fallback (201)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing taken to complete: POST /orders was refused (503 in", refused.Evidence, StringComparison.Ordinal);
        Assert.True(run.Result.Status == CheckStatus.Fail, details);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task Work_a_best_effort_caller_drops_is_not_lost_and_the_check_does_not_wait_for_it()
    {
        // fallback: degrade, a notification dropped while the SMS provider is down: the order stands, nothing is owed.
        var run = await RunAsync(Retry, new CallerBehaviour { Requeue = null }, fallback: "degrade");

        Assert.True(run.Result.Status == CheckStatus.Pass, string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")));
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6030");
        var note = Assert.Single(run.Result.Findings, f => f.Rule == "AG6031");
        Assert.Equal("payments → gateway: fallback degrade: a best-effort call, so the work payments took during the outages of gateway was not awaited afterwards", note.Message);
        var works = Assert.Single(run.Result.Findings, f => f.Rule == "AG6025");
        Assert.Contains("nothing owed afterwards: fallback degrade (a best-effort call)", works.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("no call completed", works.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_that_failed_and_was_dropped_owes_no_completion_and_the_check_does_not_wait_for_one()
    {
        // GET calls with a default meanwhile (a stock level, a price): nothing to hand over once the provider is back.
        var run = await RunAsync(Retry, new CallerBehaviour { Method = "GET", Requeue = null });

        Assert.True(run.Result.Status == CheckStatus.Pass, string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")));
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule is "AG6030" or "AG6031");
        var works = Assert.Single(run.Result.Findings, f => f.Rule == "AG6025");
        Assert.Contains("nothing queued to complete: the calls under the fault were reads (GET /charges)", works.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("no call completed", works.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_breaker_that_cuts_a_round_whose_work_was_lost_is_closed_before_the_next_round_and_no_early_give_up_is_reported()
    {
        // The baseline's success counts in the breaker's window: round 1's third failure opens it (3 of 4 failed), the
        // fourth attempt is refused, and the work is dropped. Without a call answered in between, every later round's
        // first attempt is the half-open trial, fails and opens the breaker again: one attempt each, which looked like
        // a caller that gives up early (AG6021) though it retries as declared.
        // Attempts may take 3 s: with the default 500 ms, a busy machine (ci1) timed out the recovery's half-open trial
        // in the caller after the proxy had answered it, the breaker opened again, and round 2 made no call at all.
        var run = await RunAsync(Retry, new CallerBehaviour { Requeue = null, BreakDuration = TimeSpan.FromSeconds(1), AttemptTimeout = TimeSpan.FromSeconds(3) });

        var details = string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Severity}: {f.Message}\n{f.Evidence}"));
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6021");
        var lost = Assert.Single(run.Result.Findings, f => f.Rule == "AG6030");
        Assert.Equal(Severity.Critical, lost.Severity);
        Assert.Contains("recovery: POST /orders with no fault", lost.Evidence, StringComparison.Ordinal);
        Assert.Matches(@"key order-\d+: 4 attempts", lost.Evidence); // the round after the recovery, its breaker closed
        Assert.True(run.Result.Findings.Count(f => f.Severity >= Severity.High) == 1, details);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_new_idempotency_key_on_every_attempt_is_a_finding()
    {
        var run = await RunAsync(Retry, new CallerBehaviour { FreshKeys = true });

        var finding = Assert.Single(run.Result.Findings, f => f.Rule == "AG6024");
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Contains("a new key on each retry", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6021"); // it did retry, under new keys: not "no retry"
    }

    [Fact]
    public async Task A_caller_that_gives_up_each_attempt_and_answers_at_once_holds_its_timeout()
    {
        var run = await RunAsync(Timeout, new CallerBehaviour());

        Assert.Equal(CheckStatus.Pass, run.Result.Status);
        var finding = Assert.Single(run.Result.Findings, f => f.Rule == "AG6013");
        Assert.Contains("given up after", finding.Message, StringComparison.Ordinal);
        Assert.Contains("fault on payments → gateway: blackhole", finding.Evidence, StringComparison.Ordinal);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_caller_without_a_timeout_holds_the_blackholed_call_and_fails()
    {
        var run = await RunAsync(Timeout, new CallerBehaviour { AttemptTimeout = null });

        Assert.Equal(CheckStatus.Fail, run.Result.Status);
        var finding = Assert.Single(run.Result.Findings, f => f.Rule == "AG6011");
        Assert.Equal(Severity.Critical, finding.Severity); // payments is critical
        Assert.Contains("still held open", finding.Message, StringComparison.Ordinal);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_quick_answer_that_is_not_the_declared_fallback_is_named_so_under_the_timeout()
    {
        // ex16: a 200 in 67 ms was "not a degraded answer", when what was wrong is that the edge declares 201.
        var run = await RunAsync(Timeout, new CallerBehaviour { RefuseFrom = 2 });

        var slow = Assert.Single(run.Result.Findings, f => f.Rule == "AG6010");
        Assert.Matches("answered 503 in [0-9]+ ms: not its declared fallback \\(201\\)$", slow.Message);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public void A_drive_that_got_no_answer_is_worded_as_such_not_as_an_answer()
    {
        // ex9's AG6010 read "POST /appointments/1/reminders answered no answer (no answer within 15 s)"; the 15 s is
        // Archgate's own bound on the drive request, not the caller's.
        var held = new Archgate.Checks.Services.CallerAnswer(TimeSpan.Zero, null, TimeSpan.FromMilliseconds(15001), "Archgate stopped waiting after 15 s");
        var answered = new Archgate.Checks.Services.CallerAnswer(TimeSpan.Zero, 201, TimeSpan.FromMilliseconds(9), null);

        Assert.Equal("gave no answer (Archgate stopped waiting after 15 s) after 15001 ms", EdgeExercise.Answered(held));
        Assert.Equal("answered 201 in 9 ms", EdgeExercise.Answered(answered));
    }

    [Fact]
    public async Task A_provider_that_hangs_before_any_fault_is_an_outage_for_the_call_and_the_timeout_checks()
    {
        var calls = await RunAsync(Calls, new CallerBehaviour(), stalling: true);
        var timeout = await RunAsync(Timeout, new CallerBehaviour(), stalling: true);

        var outage = Assert.Single(calls.Result.Findings, f => f.Rule == "AG6001");
        Assert.Contains("third-party outage: gateway accepted the calls and never answered", outage.Message, StringComparison.Ordinal);
        Assert.Contains("affected: payments, api", outage.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, timeout.Result.Status);
        Assert.Contains(timeout.Result.Findings, f => f.Rule == "AG6001");
        Assert.Empty(timeout.Proxy.Toxics);
    }

    [Fact]
    public async Task A_provider_refusing_the_key_is_a_credentials_finding_and_an_answering_one_passes()
    {
        var refused = await RunAsync(Calls, new CallerBehaviour(), _ => new Reply(401, "{}"));
        var fine = await RunAsync(Calls, new CallerBehaviour());

        Assert.Contains(refused.Result.Findings, f => f.Rule == "AG6002" && f.Message.Contains("refused payments's credentials (401", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Pass, fine.Result.Status);
        Assert.Contains(fine.Result.Findings, f => f.Rule == "AG6005");
    }

    [Fact]
    public async Task Retries_are_not_judged_against_a_provider_that_refuses_the_key_without_a_fault()
    {
        var run = await RunAsync(Retry, new CallerBehaviour(), _ => new Reply(401, "{}"));

        var finding = Assert.Single(run.Result.Findings);
        Assert.Equal("AG6002", finding.Rule);
        Assert.Contains("cannot be proved", finding.Message, StringComparison.Ordinal);
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task Without_a_proxy_on_the_edge_the_checks_are_skipped_with_the_reason()
    {
        var run = await RunAsync(Retry, new CallerBehaviour(), proxied: false);

        Assert.Equal(CheckStatus.Skipped, run.Result.Status);
        Assert.Contains("${url:gateway}", run.Result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, run.Proxy.Counters.RequestCount);
    }

    [Fact]
    public async Task A_provider_ledger_with_one_charge_per_order_passes_although_answers_were_lost()
    {
        var gateway = new KeyedGateway();
        var run = await RunAsync(Retry, new CallerBehaviour(), gateway.Answer, ledger: KeyedGateway.Ledger);

        Assert.True(run.Result.Status == CheckStatus.Pass, string.Join("\n", run.Result.Findings.Select(f => $"{f.Rule} {f.Severity}: {f.Message}\n{f.Evidence}")));
        var one = Assert.Single(run.Result.Findings, f => f.Rule == "AG6091");
        Assert.Contains("round 3, answers lost 1", one.Message, StringComparison.Ordinal);
        Assert.Contains("round 1 1", one.Message, StringComparison.Ordinal);
        Assert.True(gateway.Posts > gateway.Charges, $"{gateway.Posts} posts, {gateway.Charges} charges: the lost round's retries reached the provider");
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task A_caller_that_takes_a_new_key_per_attempt_is_caught_by_the_provider_ledger_as_a_double_charge()
    {
        var gateway = new KeyedGateway();
        var run = await RunAsync(Retry, new CallerBehaviour { FreshKeys = true }, gateway.Answer, ledger: KeyedGateway.Ledger);

        Assert.Equal(CheckStatus.Fail, run.Result.Status);
        var doubled = Assert.Single(run.Result.Findings, f => f.Rule == "AG6090");
        Assert.Equal(Severity.Critical, doubled.Severity);
        Assert.Matches(@"gateway's ledger holds [2-9] charges for one operation \(round 3, answers lost, [2-9] Idempotency-Key", doubled.Message);
        Assert.Contains("rows of the operations charged more than once", doubled.Evidence, StringComparison.Ordinal);
        Assert.Contains("\"idempotencyKey\":\"order-", doubled.Evidence, StringComparison.Ordinal);
        Assert.Contains("answers lost, error status 503 instead (the dependency answered 202)", doubled.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6030"); // the resends under new keys completed: nothing was lost
        Assert.Empty(run.Proxy.Toxics);
    }

    [Fact]
    public async Task With_the_operation_in_the_ledger_rows_the_charges_are_counted_per_order()
    {
        var gateway = new KeyedGateway();
        var run = await RunAsync(Retry, new CallerBehaviour { FreshKeys = true }, gateway.Answer, ledger: ", ledger: { path: /charges, key: $.idempotencyKey, operation: $.reference }");

        var doubled = Assert.Single(run.Result.Findings, f => f.Rule == "AG6090");
        Assert.Matches(@"holds [2-9] charges for one operation \(order-\d+ in round 3, answers lost, [2-9] Idempotency-Key\(s\)\)", doubled.Message);
        Assert.Contains("\"reference\":\"order-", doubled.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reference_the_drive_sends_in_every_round_counts_per_round_and_a_double_charge_within_one_is_still_caught()
    {
        // ex10: the caller copies its client's reference into the charge, and the drive's body is the same every round:
        // three rounds' charges, one each, shared one reference and read as a triple charge (AG6090 critical).
        const string Ledger = ", ledger: { path: /charges, key: $.idempotencyKey, operation: $.reference }";
        const string Drive = "{ request: POST /orders, json: { reference: ord-7001, quantity: 1 } }";
        var once = new KeyedGateway { Reference = "ord-7001" };
        var twice = new KeyedGateway { Reference = "ord-7001" };

        var run = await RunAsync(Retry, new CallerBehaviour(), once.Answer, ledger: Ledger, drive: Drive);
        var fresh = await RunAsync(Retry, new CallerBehaviour { FreshKeys = true }, twice.Answer, ledger: Ledger, drive: Drive);

        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6090");
        var one = Assert.Single(run.Result.Findings, f => f.Rule == "AG6091");
        Assert.Contains("ord-7001 in round 1 1; ord-7001 in round 2 1", one.Message, StringComparison.Ordinal);
        Assert.EndsWith("(ord-7001 is sent by the drive itself in every round, so each round's rows count as one operation)", one.Message, StringComparison.Ordinal);
        var doubled = Assert.Single(fresh.Result.Findings, f => f.Rule == "AG6090");
        Assert.Matches(@"holds [2-9] charges for one operation \(ord-7001 in round 3, answers lost, [2-9] Idempotency-Key\(s\)\)", doubled.Message);
    }

    [Fact]
    public async Task A_ledger_whose_rows_carry_none_of_the_keys_is_reported_not_proved()
    {
        var gateway = new KeyedGateway();
        var run = await RunAsync(Retry, new CallerBehaviour(), gateway.Answer, ledger: ", ledger: { path: /charges, key: $.metadata.key }");

        var unread = Assert.Single(run.Result.Findings, f => f.Rule == "AG6092");
        Assert.Equal(Severity.High, unread.Severity);
        Assert.Contains("shows none of the key(s) payments used", unread.Message, StringComparison.Ordinal);
        Assert.Contains("ledger.key", unread.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule is "AG6091" or "AG6025");
    }

    [Fact]
    public async Task A_caller_that_sends_no_key_is_caught_by_the_rows_one_operation_gained_as_a_double_charge()
    {
        // ex13: four keyless attempts reached the provider and each made a charge for one payment; the check gave up
        // ("cannot be matched", AG6092 high, its hint blaming 'ledger.key') although 'ledger.operation' was declared.
        var gateway = new ChargingGateway();
        gateway.Rows.Add("{\"id\":\"ch_old1\",\"reference\":\"order-1\"}"); // an earlier run's charges, not this one's
        gateway.Rows.Add("{\"id\":\"ch_old2\",\"reference\":\"order-1\"}");
        var run = await RunAsync(Retry, new CallerBehaviour { NoKey = true }, gateway.Answer, ledger: ", ledger: { path: /charges, key: $.idempotencyKey, operation: $.reference }");

        var doubled = Assert.Single(run.Result.Findings, f => f.Rule == "AG6090");
        Assert.Equal(Severity.Critical, doubled.Severity);
        Assert.Matches(@"holds [2-9] charges for one operation \(order-\d+ in round 3, answers lost, no Idempotency-Key\)", doubled.Message);
        Assert.Contains("rows added, without a key", doubled.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("ch_old", doubled.Evidence, StringComparison.Ordinal);
        Assert.Contains("send an Idempotency-Key", doubled.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Result.Findings, f => f.Rule == "AG6092");
    }

    [Fact]
    public async Task A_caller_that_sends_no_key_to_a_ledger_without_operation_is_not_proved_and_the_hint_names_the_missing_key()
    {
        var gateway = new ChargingGateway();
        var run = await RunAsync(Retry, new CallerBehaviour { NoKey = true }, gateway.Answer, ledger: KeyedGateway.Ledger);

        var unread = Assert.Single(run.Result.Findings, f => f.Rule == "AG6092");
        Assert.Contains("payments sent no Idempotency-Key and 'ledger.operation' is not declared", unread.Message, StringComparison.Ordinal);
        Assert.StartsWith("make payments send an Idempotency-Key", unread.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("ledger.key", unread.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rows_an_operation_gained_ignore_rows_that_only_changed()
    {
        LedgerRow Row(string json, string op) => new(null, op, json);
        var before = new[] { Row("{\"id\":1,\"status\":\"pending\"}", "p1"), Row("{\"id\":2}", "p2") };
        var after = new[] { Row("{\"id\":1,\"status\":\"paid\"}", "p1"), Row("{\"id\":2}", "p2"), Row("{\"id\":3}", "p2"), Row("{\"id\":4}", "p3") };

        var added = ChargeLedger.AddedRows(before, after);

        Assert.Equal(["p2", "p3"], added.Select(a => a.Operation));
        Assert.Equal("{\"id\":3}", Assert.Single(added[0].Rows).Json);
    }

    /// <summary>A provider that makes a charge for every POST, key or none, and lists them (the reference its body names).</summary>
    private sealed class ChargingGateway
    {
        public List<string> Rows { get; } = [];

        public Reply Answer(Received request)
        {
            lock (Rows)
            {
                if (request.Method == "GET")
                {
                    return new Reply(200, $"{{\"data\":[{string.Join(",", Rows)}]}}");
                }

                var reference = System.Text.Json.Nodes.JsonNode.Parse(request.Body)?["reference"]?.GetValue<string>();
                Rows.Add($"{{\"id\":\"ch_{Rows.Count + 1}\",\"reference\":\"{reference}\"}}");
                return new Reply(201, $"{{\"id\":\"ch_{Rows.Count}\"}}");
            }
        }
    }

    /// <summary>A provider that charges once per Idempotency-Key (a repeat answers 200 with the first charge) and lists its charges as Stripe does.</summary>
    private sealed class KeyedGateway
    {
        public const string Ledger = ", ledger: { path: /charges, key: $.idempotencyKey }";

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byKey = new(StringComparer.Ordinal);
        private int _posts;

        public int Posts => _posts;

        /// <summary>The reference every charge carries (the caller copies its client's), or null: the order's own.</summary>
        public string? Reference { get; init; }

        public int Charges => _byKey.Count;

        public Reply Answer(Received request)
        {
            if (request.Method == "GET")
            {
                var rows = _byKey.OrderBy(c => c.Value).Select(c => $"{{\"id\":\"ch_{c.Value}\",\"idempotencyKey\":\"{c.Key}\",\"reference\":\"{Reference ?? string.Join('-', c.Key.Split('-').Take(2))}\"}}");
                return new Reply(200, $"{{\"object\":\"list\",\"data\":[{string.Join(",", rows)}]}}");
            }

            Interlocked.Increment(ref _posts);
            var key = request.Headers.GetValueOrDefault("Idempotency-Key") ?? Guid.NewGuid().ToString("N");
            var created = false;
            var id = _byKey.GetOrAdd(key, _ => { created = true; return _byKey.Count + 1; });
            return new Reply(created ? 202 : 200, $"{{\"id\":\"ch_{id}\"}}");
        }
    }
}
