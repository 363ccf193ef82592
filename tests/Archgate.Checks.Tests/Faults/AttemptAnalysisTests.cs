using Archgate.Checks.Faults;

namespace Archgate.Checks.Tests.Faults;

public sealed class AttemptAnalysisTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly AttemptExpectations Policy = new(Retries: 3, Timeout: TimeSpan.FromSeconds(10), Backoff: "exponential");

    /// <summary>A 503 answered at once, arriving <paramref name="ms"/> after T0.</summary>
    private static ProxiedRequest Failed(double ms, string? key = "pay_1", string method = "POST", string target = "/charges") =>
        new(T0.AddMilliseconds(ms), method, target, key, 100) { Status = 503, Duration = TimeSpan.FromMilliseconds(2), Fault = "error status 503" };

    /// <summary>A blackholed attempt the caller gave up on after <paramref name="leftAfterMs"/> (null: still held).</summary>
    private static ProxiedRequest Held(double ms, double? leftAfterMs, string key = "pay_1") =>
        new(T0.AddMilliseconds(ms), "POST", "/charges", key, 100) { Fault = "blackhole", AbandonedAfter = leftAfterMs is { } l ? TimeSpan.FromMilliseconds(l) : null };

    private static AttemptReport Analyze(IEnumerable<ProxiedRequest> requests, int? drives = null, AttemptExpectations? policy = null) =>
        AttemptAnalysis.Analyze(requests, policy ?? Policy, T0.AddSeconds(30), drives);

    [Fact]
    public void Exponential_jittered_retries_with_one_key_pass_every_judgement()
    {
        // Two operations (two payments), each four attempts with waits ~300, ~600, ~1200 ms, jittered differently.
        var report = Analyze([
            Failed(0, "pay_1"), Failed(310, "pay_1"), Failed(930, "pay_1"), Failed(2150, "pay_1"),
            Failed(5000, "pay_2"), Failed(5270, "pay_2"), Failed(5950, "pay_2"), Failed(7300, "pay_2"),
        ], drives: 2);

        Assert.Equal(2, report.Operations.Count);
        Assert.All(report.Operations, o => Assert.Equal(4, o.Attempts.Count));
        Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
        Assert.Equal(Outcome.Pass, report.Retried.Outcome);
        Assert.Equal(Outcome.Pass, report.Backoff.Outcome);
        Assert.Equal(Outcome.Pass, report.Jitter.Outcome);
        Assert.Equal(Outcome.Pass, report.Keys.Outcome);
        Assert.Equal(Outcome.NotJudged, report.Timeouts.Outcome); // every attempt was answered
    }

    [Fact]
    public void More_attempts_than_the_retries_allow_is_unbounded()
    {
        var report = Analyze([Failed(0), Failed(300), Failed(900), Failed(2100), Failed(4500), Failed(9300)]);

        Assert.Single(report.Operations);
        Assert.True(report.Bounded.Failed);
        Assert.Contains("6 attempts", report.Bounded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_sending_the_work_again_starts_a_new_operation()
    {
        // Four attempts backing off, a 2 s pause (the caller's queue), then four more from 300 ms again.
        var report = Analyze([
            Failed(0), Failed(300), Failed(900), Failed(2100),
            Failed(4100), Failed(4400), Failed(5000), Failed(6200),
        ]);

        Assert.Equal(2, report.Operations.Count);
        Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
    }

    [Fact]
    public void A_queue_polled_on_a_timer_that_sends_the_work_again_sooner_than_the_last_backoff_starts_a_new_operation()
    {
        // A 1 s poller: four attempts waiting 80, 180, 460 ms; the poll comes 130 ms after the last failure and the
        // backoff starts over (150, 190, 520 ms); twice more on the next polls.
        var report = Analyze([
            Failed(0), Failed(80), Failed(260), Failed(720),
            Failed(850), Failed(1000), Failed(1190), Failed(1710),
            Failed(2710), Failed(2820), Failed(3060), Failed(3440),
        ]);

        Assert.Equal([4, 4, 4], report.Operations.Select(o => o.Attempts.Count));
        Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
        Assert.Equal(Outcome.Pass, report.Backoff.Outcome);
    }

    [Fact]
    public void A_queue_send_that_the_window_ends_just_after_is_told_by_the_first_request_after_the_window()
    {
        // Four attempts, then the poller's next send 1 s later, and the window ends: the send's own retry comes 100 ms
        // later, after the fault went (answered 202). Without it the fifth attempt reads as one retry too many.
        ProxiedRequest[] window = [Failed(0), Failed(60), Failed(170), Failed(600), Failed(1600)];
        var retryAfter = new ProxiedRequest(T0.AddMilliseconds(1702), "POST", "/charges", "pay_1", 100) { Status = 202, Duration = TimeSpan.FromMilliseconds(2), Forwarded = true };

        Assert.True(Analyze(window).Bounded.Failed);
        var report = AttemptAnalysis.Analyze(window, Policy, T0.AddSeconds(30), later: [retryAfter]);
        Assert.Equal([4, 1], report.Operations.Select(o => o.Attempts.Count));
        Assert.Equal(Outcome.Pass, report.Bounded.Outcome);

        // An unbounded caller's next attempt after the window comes after a longer wait still: its fifth stays its own.
        var backingOff = new ProxiedRequest(T0.AddMilliseconds(3700), "POST", "/charges", "pay_1", 100) { Status = 202, Duration = TimeSpan.FromMilliseconds(2), Forwarded = true };
        Assert.True(AttemptAnalysis.Analyze(window, Policy, T0.AddSeconds(30), later: [backingOff]).Bounded.Failed);
    }

    /// <summary>
    /// A caller declaring <c>fallback: queue</c> (a Node shipping-service calling its carrier): four attempts backing off
    /// with jitter (waits 0.18, 0.40, 0.46 s), then its outbox resending the shipment every 2 s with the same key.
    /// </summary>
    private static readonly double[] BurstThenOutbox = [10, 190, 590, 1050, 1840, 3840, 5840];

    private static readonly AttemptExpectations Queued = Policy with { Queues = true };

    [Fact]
    public void A_queue_resending_at_a_steady_pace_after_the_retries_is_reported_not_counted_as_retries()
    {
        // As seen with `timeout: 2s` and with a timeout that spans all seven attempts.
        foreach (var policy in new[] { Queued with { Timeout = TimeSpan.FromSeconds(2) }, Queued })
        {
            var report = Analyze(BurstThenOutbox.Select(ms => Failed(ms, "ship_1")), drives: 1, policy: policy);

            var op = Assert.Single(report.Operations);
            Assert.Equal(4, op.Attempts.Count);
            Assert.Equal([1840, 3840, 5840], op.Resends.Select(a => (a.At - T0).TotalMilliseconds));
            Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
            Assert.Contains("then the queue resent it 3 times, every 2.00 s (key ship_1)", report.Bounded.Detail, StringComparison.Ordinal);
            Assert.Equal(Outcome.Pass, report.Backoff.Outcome);
            Assert.Contains("waits 0.18 s, 0.40 s, 0.46 s)", report.Backoff.Detail, StringComparison.Ordinal); // the burst's waits only
            Assert.Contains("4 attempts: t+0.01 s 503, t+0.19 s 503, t+0.59 s 503, t+1.05 s 503; waits 0.18 s, 0.40 s, 0.46 s; then the queue resent it 3 times, every 2.00 s (not retries): t+1.84 s 503, t+3.84 s 503, t+5.84 s 503",
                report.Describe(T0), StringComparison.Ordinal);
        }

        // The window ended after two resends: the outbox's next send, answered once the fault went, completes the cadence.
        var answered = new ProxiedRequest(T0.AddMilliseconds(5840), "POST", "/charges", "ship_1", 100) { Status = 202, Duration = TimeSpan.FromMilliseconds(2), Forwarded = true };
        var cut = AttemptAnalysis.Analyze(BurstThenOutbox[..^1].Select(ms => Failed(ms, "ship_1")), Queued, T0.AddSeconds(30), 1, later: [answered]);
        Assert.Equal(2, cut.Operations.Single().Resends.Count);
        Assert.Equal(Outcome.Pass, cut.Bounded.Outcome);
        Assert.Contains("then the queue resent it 2 times, every 2.00 s", cut.Bounded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Retries_with_no_wait_before_a_queue_resending_every_two_seconds_are_no_backoff_not_too_many_attempts()
    {
        // The planted defect: three retries at once (waits 0.00 s), then the outbox every 2 s (its first send 1.73 s on).
        foreach (var policy in new[] { Queued with { Timeout = TimeSpan.FromSeconds(2) }, Queued })
        {
            var report = Analyze([Failed(0), Failed(2), Failed(4), Failed(6), Failed(1736), Failed(3736), Failed(5736)], drives: 1, policy: policy);

            Assert.Equal([4], report.Operations.Select(o => o.Attempts.Count));
            Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
            Assert.True(report.Backoff.Failed, report.Backoff.Detail);
            Assert.Contains("at once", report.Backoff.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_tight_retry_loop_whose_last_attempt_comes_just_before_the_queue_is_counted_whole_and_has_no_backoff()
    {
        // ex16 (courier → sms, 2 retries declared): 8 attempts at once, the 8th 40 ms after the 7th, then the outbox every
        // 2 s (its first send 1.3 s after the loop). The 8th had been read as the queue's first resend, the loop as 7
        // attempts, and the resends as an operation of their own with 2 s waits, so no AG6022.
        var report = Analyze([
            Failed(190), Failed(232), Failed(276), Failed(318), Failed(362), Failed(404), Failed(448), Failed(490),
            Failed(1810), Failed(3850), Failed(5890), Failed(7940), Failed(9980),
        ], drives: 1, policy: Queued with { Retries = 2 });

        var operation = Assert.Single(report.Operations);
        Assert.Equal(8, operation.Attempts.Count);
        Assert.Equal(5, operation.Resends.Count);
        Assert.Contains("8 attempts in one operation", report.Bounded.Detail, StringComparison.Ordinal);
        Assert.True(report.Backoff.Failed, report.Backoff.Detail);
        Assert.Contains("waits do not grow: 7 waits (0.04 s", report.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Attempts_past_the_retries_at_an_irregular_or_faster_pace_than_the_backoff_are_too_many_though_a_queue_is_declared()
    {
        // Eight attempts at short irregular waits (0.15-0.30 s): no queue's timer.
        var irregular = Analyze([Failed(0), Failed(150), Failed(300), Failed(500), Failed(700), Failed(1000), Failed(1200), Failed(1500)], policy: Queued);
        // Waits 0.1, 0.2, 0.4 s, then every 0.3 s: steady, but sooner than the backoff's last wait.
        var faster = Analyze([Failed(0), Failed(100), Failed(300), Failed(700), Failed(1000), Failed(1300), Failed(1600), Failed(1900)], policy: Queued);
        // The same backoff as the first (0.3, 0.6, 1.2 s), then every 2 s: the queue.
        var resent = Analyze([Failed(0), Failed(300), Failed(900), Failed(2100), Failed(3000), Failed(5000), Failed(7000)], policy: Queued);

        Assert.True(irregular.Bounded.Failed);
        Assert.Contains("8 attempts in one operation", irregular.Bounded.Detail, StringComparison.Ordinal);
        Assert.True(faster.Bounded.Failed);
        Assert.Contains("8 attempts in one operation", faster.Bounded.Detail, StringComparison.Ordinal);
        Assert.All(irregular.Operations.Concat(faster.Operations), o => Assert.Empty(o.Resends));
        Assert.Equal(Outcome.Pass, resent.Bounded.Outcome);
        Assert.Equal(3, resent.Operations.Single().Resends.Count);
    }

    [Fact]
    public void One_attempt_past_the_retries_is_the_queues_resend_when_another_operation_of_the_call_stopped_at_the_limit()
    {
        // ex10 with a 5 s outbox: round 1 made its 4 attempts; in round 2 the outbox's timer fell 1.6 s after the last
        // retry, once. A retry policy makes the same count whenever the fault is the same: that one is the queue's.
        var policy = Queued with { Timeout = TimeSpan.FromSeconds(6) };
        ProxiedRequest[] round1 = [Failed(10, "ship_1"), Failed(190, "ship_1"), Failed(590, "ship_1"), Failed(1050, "ship_1")];
        ProxiedRequest[] round2 = [Failed(11010, "ship_2"), Failed(11190, "ship_2"), Failed(11590, "ship_2"), Failed(12050, "ship_2"), Failed(13650, "ship_2")];

        var both = Analyze([.. round1, .. round2], drives: 2, policy: policy);
        var alone = Analyze(round2, drives: 1, policy: policy);
        var undeclared = Analyze([.. round1, .. round2], drives: 2, policy: Policy with { Timeout = TimeSpan.FromSeconds(6) });

        Assert.Equal(Outcome.Pass, both.Bounded.Outcome);
        Assert.False(both.ResendUndecided);
        Assert.Equal([4, 4], both.Operations.Select(o => o.Attempts.Count));
        Assert.Equal([13650d], both.Operations[1].Resends.Select(a => (a.At - T0).TotalMilliseconds));
        Assert.Contains("then the queue resent it once (key ship_2)", both.Bounded.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.Pass, both.Backoff.Outcome);

        // Alone, nothing tells it from one retry too many: it counts, and the check is told to drive another round.
        Assert.True(alone.Bounded.Failed);
        Assert.True(alone.ResendUndecided);
        Assert.True(undeclared.Bounded.Failed);
        Assert.False(undeclared.ResendUndecided);
    }

    [Fact]
    public void Attempts_after_the_caller_answered_its_client_with_the_retries_spent_are_the_queues()
    {
        // ex10's shipping-service with a 5 s outbox, every round alike (the rounds kept the timer's phase): four attempts,
        // 202 to its client at 1.115 s, then the outbox's send at 2.84 s.
        var policy = Queued with { Timeout = TimeSpan.FromSeconds(6) };
        ProxiedRequest[] attempts = [Failed(20, "s1"), Failed(180, "s1"), Failed(490, "s1"), Failed(1108, "s1"), Failed(2840, "s1")];

        var sync = AttemptAnalysis.Analyze(attempts, policy, T0.AddSeconds(30), 1, answered: [T0.AddMilliseconds(1115)]);
        // A caller that answers at once and calls from a worker: its answer says nothing about its retries.
        var worker = AttemptAnalysis.Analyze(attempts, policy, T0.AddSeconds(30), 1, answered: [T0.AddMilliseconds(5)]);
        // Answered after one attempt, answered at once: a caller that does not wait for its call (fire and forget).
        var early = AttemptAnalysis.Analyze(attempts, policy, T0.AddSeconds(30), 1, answered: [T0.AddMilliseconds(60)]);

        Assert.Equal(Outcome.Pass, sync.Bounded.Outcome);
        Assert.Equal(4, sync.Operations.Single().Attempts.Count);
        Assert.Contains("then the queue resent it once (key s1)", sync.Bounded.Detail, StringComparison.Ordinal);
        Assert.True(worker.Bounded.Failed);
        Assert.True(early.Bounded.Failed);
        Assert.True(AttemptAnalysis.Analyze(attempts, Policy with { Timeout = TimeSpan.FromSeconds(6) }, T0.AddSeconds(30), 1, answered: [T0.AddMilliseconds(1115)]).Bounded.Failed);
    }

    [Fact]
    public void A_deadline_cut_operation_ends_where_the_caller_answered_its_client_and_the_queues_resend_is_not_part_of_it()
    {
        // ex11's payments-svc, provider blackholed: three attempts cut by its 5 s deadline, 201 (queued) at 5.01 s, then
        // its resend job every 5 s with the same key, at 5.95 s and 7.72 s; each given up as it should be.
        var policy = Queued with { Timeout = TimeSpan.FromSeconds(6) };
        ProxiedRequest[] attempts = [Held(20, 1500, "ik_1"), Held(1630, 1500, "ik_1"), Held(3720, 1300, "ik_1"), Held(5950, 1500, "ik_1"), Held(7720, 1500, "ik_1")];

        var report = AttemptAnalysis.Analyze(attempts, policy, T0.AddSeconds(12), 1, answered: [T0.AddMilliseconds(5011)]);
        var before = AttemptAnalysis.Analyze(attempts, policy, T0.AddSeconds(12), 1);
        // A resend the queue never gives up on is still a missing timeout.
        ProxiedRequest[] held = [.. attempts[..3], Held(5950, null, "ik_1")];
        var hanging = AttemptAnalysis.Analyze(held, policy, T0.AddSeconds(16), 1, answered: [T0.AddMilliseconds(5011)]);

        Assert.Equal(Outcome.Pass, report.Timeouts.Outcome);
        Assert.Equal(3, report.Operations[0].Attempts.Count);
        Assert.True(before.Timeouts.Failed);
        Assert.Contains("went on for 7.43 s over 4 attempts", before.Timeouts.Detail, StringComparison.Ordinal);
        Assert.True(hanging.Timeouts.Failed);
        Assert.Contains("still held open", hanging.Timeouts.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Calls_without_a_key_in_two_rounds_are_two_operations_not_a_call_and_its_retry()
    {
        // ex11's tickets-api calls payments-svc once per order (retries: 0; idempotent by the order id in its body).
        var policy = Policy with { Retries = 0, Timeout = TimeSpan.FromSeconds(9), Queues = true };
        ProxiedRequest[] calls = [Failed(30, key: null, target: "/payments"), Failed(5880, key: null, target: "/payments")];

        var rounds = AttemptAnalysis.Analyze(calls, policy, T0.AddSeconds(12), 2, rounds: [T0, T0.AddMilliseconds(5850)]);
        var merged = AttemptAnalysis.Analyze(calls, policy, T0.AddSeconds(12), 2);

        Assert.Equal([1, 1], rounds.Operations.Select(o => o.Attempts.Count));
        Assert.Equal(Outcome.Pass, rounds.Bounded.Outcome);
        Assert.True(merged.Bounded.Failed);
    }

    [Fact]
    public void One_retry_too_many_in_every_operation_stays_too_many_attempts_though_a_queue_is_declared()
    {
        // Four retries where three are declared, each round the same: a policy, not a timer.
        var policy = Queued with { Timeout = TimeSpan.FromSeconds(6) };
        var report = Analyze([
            Failed(0, "a"), Failed(200, "a"), Failed(600, "a"), Failed(1400, "a"), Failed(3000, "a"),
            Failed(10000, "b"), Failed(10210, "b"), Failed(10590, "b"), Failed(11420, "b"), Failed(13000, "b"),
        ], drives: 2, policy: policy);

        Assert.True(report.Bounded.Failed);
        Assert.Contains("5 attempts in one operation", report.Bounded.Detail, StringComparison.Ordinal);
        Assert.True(report.ResendUndecided);
        Assert.All(report.Operations, o => Assert.Empty(o.Resends));
    }

    [Fact]
    public void Without_a_declared_queue_attempts_after_the_retries_count_as_they_did()
    {
        var undeclared = Analyze(BurstThenOutbox.Select(ms => Failed(ms, "ship_1")), drives: 1);
        var declared = Analyze(BurstThenOutbox.Select(ms => Failed(ms, "ship_1")), drives: 1, policy: Queued);

        Assert.True(undeclared.Bounded.Failed);
        Assert.Contains("7 attempts in one operation (key ship_1), more than the 4 that 3 retries allow", undeclared.Bounded.Detail, StringComparison.Ordinal);
        Assert.Empty(undeclared.Operations.Single().Resends);
        Assert.Equal(Outcome.Pass, declared.Bounded.Outcome);
    }

    [Fact]
    public void A_caller_that_keeps_backing_off_past_its_retries_is_one_operation_however_the_waits_before_were()
    {
        // Eight attempts whose waits keep growing (jittered): no start-over anywhere, so one operation of 8.
        var report = Analyze([
            Failed(0), Failed(90), Failed(260), Failed(700), Failed(1500), Failed(2900), Failed(6100), Failed(9000),
        ]);

        Assert.Single(report.Operations);
        Assert.True(report.Bounded.Failed);
        Assert.Contains("8 attempts", report.Bounded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_caller_that_never_retries_and_resends_from_its_queue_at_a_fixed_pace_has_no_backoff()
    {
        // One attempt per 3 s tick: no retry of its own, no growth.
        var report = Analyze([Failed(1200), Failed(4200), Failed(7200), Failed(10200), Failed(13200)], drives: 1);

        Assert.True(report.Backoff.Failed);
        Assert.Contains("do not grow", report.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_queue_polled_every_second_with_no_retry_is_no_backoff_whatever_the_phase_of_its_first_resend()
    {
        // One attempt per poll, a 1 s timer: the first resend came 0.64 s after the drive's attempt (the timer's phase),
        // every later one 1.00 s after the one before; the second operation the same with 0.79 s.
        var report = Analyze([
            Failed(0), Failed(640), Failed(1640), Failed(2642), Failed(3642), Failed(4645), Failed(5645),
            Failed(13000, "pay_2"), Failed(13790, "pay_2"), Failed(14790, "pay_2"), Failed(15791, "pay_2"), Failed(16792, "pay_2"),
        ], policy: Policy with { Timeout = TimeSpan.FromSeconds(8) });

        Assert.True(report.Backoff.Failed, report.Backoff.Detail);
        Assert.Contains("all after the first within 10 % of 1.00 s", report.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_attempts_are_no_retry()
    {
        var report = Analyze([Failed(0, "a"), Failed(4000, "b")]);

        Assert.True(report.Retried.Failed);
        Assert.Contains("single attempt", report.Retried.Detail, StringComparison.Ordinal);
        var early = Analyze([Failed(0, "a"), Failed(750, "a"), Failed(6000, "b")]);
        Assert.True(early.Retried.Failed);
        Assert.Contains("gives up early", early.Retried.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Jittered_waits_whose_means_fall_by_chance_are_not_judged_a_missing_backoff()
    {
        // Polly's decorrelated jitter on a loaded machine (a clean shop's payments -> gateway in a demo): waits 0.38, 0.21 s
        // and 0.13, 0.63, 0.14 s. The pooled means fall, but neither operation shortens its waits step by step.
        var jittered = Analyze([Failed(0, "pay_1"), Failed(382, "pay_1"), Failed(594, "pay_1"),
            Failed(5000, "pay_2"), Failed(5132, "pay_2"), Failed(5764, "pay_2"), Failed(5906, "pay_2")], drives: 2);

        Assert.False(jittered.Backoff.Failed, jittered.Backoff.Detail);
        // The same jitter over two operations: later waits alike (0.54; 0.47, 0.41 s), but the first ones (0.31, 0.16 s) shorter.
        var decorrelated = Analyze([Failed(0, "a"), Failed(310, "a"), Failed(850, "a"), Failed(5000, "b"), Failed(5160, "b"), Failed(5630, "b"), Failed(6040, "b")]);
        Assert.False(decorrelated.Backoff.Failed, decorrelated.Backoff.Detail);
        Assert.Equal(Outcome.NotJudged, jittered.Backoff.Outcome);
        Assert.Contains("no clear trend", jittered.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Growing_waits_pass_and_shrinking_ones_fail()
    {
        var linear = Analyze([Failed(0), Failed(1000), Failed(2200), Failed(3600)]); // waits 1.0, 1.2, 1.4 s
        var shrinking = Analyze([Failed(0), Failed(1000), Failed(1600), Failed(1900)]); // waits 1.0, 0.6, 0.3 s

        Assert.Equal(Outcome.Pass, linear.Backoff.Outcome);
        Assert.True(shrinking.Backoff.Failed);
        Assert.Contains("shrink", shrinking.Backoff.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.Pass, Analyze([Failed(0), Failed(1000), Failed(2000)], policy: Policy with { Backoff = "constant" }).Backoff.Outcome);
        var atOnce = Analyze([Failed(0), Failed(5), Failed(14), Failed(21)]);
        Assert.True(atOnce.Backoff.Failed);
        Assert.Contains("at once", atOnce.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fixed_pace_with_one_stall_is_still_no_backoff_and_a_linear_backoff_is_one()
    {
        // A queue resending every 0.7 s on a loaded machine: one wait stretched to 1.15 s by a stall.
        var paced = Analyze([Failed(0, "a"), Failed(730, "a"), Failed(1450, "a"), Failed(2600, "a"), Failed(5000, "b"), Failed(5710, "b"), Failed(6420, "b"), Failed(7130, "b")]);
        var linear = Analyze([Failed(0, "a"), Failed(1000, "a"), Failed(2100, "a"), Failed(3300, "a")]); // waits 1.0, 1.1, 1.2 s: close, but rising
        // The same timer whose noise happened to grow a little at each resend (0.71, 0.72, 0.74, 0.75 s): still a fixed pace.
        var creeping = Analyze([Failed(0, "a"), Failed(710, "a"), Failed(1430, "a"), Failed(2170, "a"), Failed(2920, "a")]);
        // Polly's decorrelated jitter on an exponential backoff: three waits of one operation that happen to be alike.
        var jittered = Analyze([Failed(0, "a"), Failed(370, "a"), Failed(810, "a"), Failed(1190, "a")]);

        Assert.True(paced.Backoff.Failed, paced.Backoff.Detail);
        Assert.True(creeping.Backoff.Failed, creeping.Backoff.Detail);
        Assert.False(jittered.Backoff.Failed, jittered.Backoff.Detail);
        // The same jitter over two operations: later waits alike (0.54; 0.47, 0.41 s), but the first ones (0.31, 0.16 s) shorter.
        var decorrelated = Analyze([Failed(0, "a"), Failed(310, "a"), Failed(850, "a"), Failed(5000, "b"), Failed(5160, "b"), Failed(5630, "b"), Failed(6040, "b")]);
        Assert.False(decorrelated.Backoff.Failed, decorrelated.Backoff.Detail);
        Assert.Contains("no backoff", paced.Backoff.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.Pass, linear.Backoff.Outcome);
    }

    [Fact]
    public void One_operation_of_three_waits_is_a_fixed_pace_only_when_all_three_are_the_same()
    {
        // Polly's exponential backoff with decorrelated jitter, seen in CI on the shop's api -> email: 0.32 s, then 0.37
        // and 0.38 s. Two later waits alike are not enough to call it a timer; the growth is too small to call it a backoff.
        var jittered = Analyze([Failed(0, "a"), Failed(322, "a"), Failed(694, "a"), Failed(1076, "a")]);
        // A constant 300 ms delay without jitter: all three waits the same.
        var constant = Analyze([Failed(0, "a"), Failed(302, "a"), Failed(606, "a"), Failed(911, "a")]);
        // A constant delay with ±20 % jitter: no growth, no proof either way.
        var flat = Analyze([Failed(0, "a"), Failed(352, "a"), Failed(606, "a"), Failed(941, "a")]);

        Assert.Equal(Outcome.NotJudged, jittered.Backoff.Outcome);
        Assert.Contains("no clear growth", jittered.Backoff.Detail, StringComparison.Ordinal);
        Assert.True(constant.Backoff.Failed, constant.Backoff.Detail);
        Assert.Contains("3 waits", constant.Backoff.Detail, StringComparison.Ordinal);
        Assert.Contains("all within 10 %", constant.Backoff.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.NotJudged, flat.Backoff.Outcome);
    }

    [Fact]
    public void Three_alike_waits_of_one_operation_are_no_constant_delay_when_another_operation_waited_otherwise()
    {
        // Seen in CI on the shop's api -> email (Polly's exponential backoff, decorrelated jitter): 0.26 and 0.22 s in the
        // first operation (its breaker cut it short), then 0.36, 0.33 and 0.32 s. A constant delay waits alike in both.
        var jittered = Analyze([Failed(0, "a"), Failed(260, "a"), Failed(480, "a"), Failed(5000, "b"), Failed(5355, "b"), Failed(5685, "b"), Failed(6007, "b")]);
        // A constant 300 ms delay without jitter waits alike in both operations: no backoff.
        var constant = Analyze([Failed(0, "a"), Failed(302, "a"), Failed(605, "a"), Failed(5000, "b"), Failed(5301, "b"), Failed(5604, "b"), Failed(5906, "b")]);

        Assert.False(jittered.Backoff.Failed, jittered.Backoff.Detail);
        Assert.True(constant.Backoff.Failed, constant.Backoff.Detail);
        Assert.Contains("no backoff", constant.Backoff.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_wait_stretched_by_a_starved_machine_does_not_make_a_jittered_backoff_a_constant_delay()
    {
        // Seen in CI (0.1 s × 2^k, ±40 % jitter, a busy machine): 0.14, 0.26, 0.26 s, then 1.07, 0.20, 0.27 s. The first
        // operation's first wait is the shortest; the second's was stretched by the machine, not by the caller.
        var stretched = Analyze([
            Failed(0, "a"), Failed(140, "a"), Failed(400, "a"), Failed(660, "a"),
            Failed(5000, "b"), Failed(6070, "b"), Failed(6270, "b"), Failed(6540, "b"),
        ]);
        // A constant 250 ms delay: every wait alike, the first ones too.
        var constant = Analyze([
            Failed(0, "a"), Failed(252, "a"), Failed(505, "a"), Failed(757, "a"),
            Failed(5000, "b"), Failed(5251, "b"), Failed(5503, "b"), Failed(5754, "b"),
        ]);

        Assert.False(stretched.Backoff.Failed, stretched.Backoff.Detail);
        Assert.True(constant.Backoff.Failed, constant.Backoff.Detail);
    }

    [Fact]
    public void Two_retries_at_a_fixed_pace_in_two_operations_are_no_backoff_and_a_jittered_backoffs_are()
    {
        var policy = Policy with { Retries = 2 };
        // Seen on a caller declared `backoff: exponential, retries: 2` that retried every 100 ms: 0.10, 0.11 s twice.
        var paced = Analyze([Failed(0, "a"), Failed(100, "a"), Failed(210, "a"), Failed(5000, "b"), Failed(5101, "b"), Failed(5212, "b")], policy: policy);
        // 0.1 s × 2^k with ±40 % jitter: 0.13, 0.15 s, then 0.07, 0.26 s.
        var jittered = Analyze([Failed(0, "a"), Failed(130, "a"), Failed(280, "a"), Failed(5000, "b"), Failed(5070, "b"), Failed(5330, "b")], policy: policy);
        // One operation only: two waits alike prove nothing yet.
        var once = Analyze([Failed(0, "a"), Failed(100, "a"), Failed(210, "a")], policy: policy);

        Assert.True(paced.Backoff.Failed, paced.Backoff.Detail);
        Assert.Contains("in 2 operations all within 15 %", paced.Backoff.Detail, StringComparison.Ordinal);
        Assert.False(jittered.Backoff.Failed, jittered.Backoff.Detail);
        Assert.False(once.Backoff.Failed, once.Backoff.Detail);
    }

    [Fact]
    public void Identical_waits_across_operations_have_no_jitter()
    {
        var report = Analyze([
            Failed(0, "a"), Failed(300, "a"), Failed(900, "a"),
            Failed(5000, "b"), Failed(5300, "b"), Failed(5900, "b"),
        ]);

        Assert.True(report.Jitter.Failed);
        Assert.Equal(Outcome.NotJudged, Analyze([Failed(0, "a"), Failed(300, "a"), Failed(900, "a")]).Jitter.Outcome);
    }

    [Fact]
    public void A_new_key_on_each_retry_and_a_write_retried_without_a_key_are_findings()
    {
        var fresh = Analyze([Failed(0, "k1"), Failed(300, "k2"), Failed(900, "k3")], drives: 1);
        var bare = Analyze([Failed(0, null), Failed(300, null), Failed(900, null)], drives: 1);
        var read = Analyze([Failed(0, null, "GET"), Failed(300, null, "GET")], drives: 1);

        Assert.True(fresh.Keys.Failed);
        Assert.Contains("3 different Idempotency-Keys", fresh.Keys.Detail, StringComparison.Ordinal);
        Assert.True(bare.Keys.Failed);
        Assert.Contains("without an Idempotency-Key", bare.Keys.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.NotJudged, read.Keys.Outcome);
    }

    [Fact]
    public void A_caller_that_takes_a_new_key_on_each_retry_is_judged_on_its_real_operations_and_for_its_keys()
    {
        // Two operations of four attempts, backing off (~300, ~600, ~1200 ms), each attempt under a new key: the
        // retries are there, only the keys are wrong.
        var report = Analyze([
            Failed(0, "k1"), Failed(310, "k2"), Failed(930, "k3"), Failed(2150, "k4"),
            Failed(5000, "k5"), Failed(5270, "k6"), Failed(5950, "k7"), Failed(7300, "k8"),
        ], drives: 2);

        Assert.Equal([4, 4], report.Operations.Select(o => o.Attempts.Count));
        Assert.Equal(Outcome.Pass, report.Retried.Outcome); // not "a single attempt: no retry"
        Assert.Equal(Outcome.Pass, report.Bounded.Outcome);
        Assert.Contains("at most 4 attempts per operation", report.Bounded.Detail, StringComparison.Ordinal);
        Assert.Equal(Outcome.Pass, report.Backoff.Outcome);
        Assert.True(report.Keys.Failed);
        Assert.Contains("8 different Idempotency-Keys on POST /charges for 2 operation(s)", report.Keys.Detail, StringComparison.Ordinal);
        Assert.Contains("POST /charges keys k1, k2, k3, k4: 4 attempts", report.Describe(T0), StringComparison.Ordinal);
    }

    [Fact]
    public void Blackholed_attempts_given_up_in_time_pass_and_the_waits_count_from_the_give_up()
    {
        // 3 s per attempt, then ~300 and ~600 ms before the next: the total stays within 10 s.
        var report = Analyze([Held(0, 3000), Held(3300, 3000), Held(6900, 3000)]);

        Assert.Equal(Outcome.Pass, report.Timeouts.Outcome);
        var waits = report.Operations.Single().Waits;
        Assert.Equal([300, 600], waits.Select(w => (int)Math.Round(w.TotalMilliseconds)));
        Assert.Equal(Outcome.Pass, report.Backoff.Outcome);
    }

    [Fact]
    public void An_attempt_held_beyond_the_timeout_or_given_up_late_fails_the_timeouts()
    {
        var held = Analyze([Held(0, null)]);
        var late = Analyze([Held(0, 15_000)]);
        var longOperation = AttemptAnalysis.Analyze([Held(0, 5000), Held(5100, 5000), Held(9900, 5000)], Policy, T0.AddSeconds(30));

        Assert.True(held.Timeouts.Failed);
        Assert.Contains("still held open", held.Timeouts.Detail, StringComparison.Ordinal);
        Assert.True(late.Timeouts.Failed);
        Assert.Contains("given up only after 15.00 s", late.Timeouts.Detail, StringComparison.Ordinal);
        Assert.True(longOperation.Timeouts.Failed);
        Assert.Contains("went on for 14.90 s", longOperation.Timeouts.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_lists_each_operation_with_its_attempts()
    {
        var report = Analyze([Failed(0), Failed(300), Held(1000, 2000, "pay_2")]);

        var text = report.Describe(T0);

        Assert.Contains("POST /charges key pay_1: 2 attempts: t+0.00 s 503, t+0.30 s 503; waits 0.30 s", text, StringComparison.Ordinal);
        Assert.Contains("t+1.00 s given up after 2.00 s", text, StringComparison.Ordinal);
    }
}
