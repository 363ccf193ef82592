using System.Globalization;
using System.Text;

namespace Archgate.Checks.Faults;

/// <summary>What a caller declares about its calls on one edge, as the analysis judges them.</summary>
/// <param name="Retries">Retries after the first attempt; an operation may make <c>Retries + 1</c> attempts.</param>
/// <param name="Timeout">The whole call's time, retries included: attempts of one operation start within it.</param>
/// <param name="Backoff"><c>exponential</c>, <c>linear</c>, <c>none</c>, or null (growth not judged beyond "grows").</param>
/// <param name="Queues">
/// The caller declares a fallback queue (<c>fallback: queue</c> or <c>outbox</c>): once its retries are spent it may send
/// the work again on a timer, with the same key; those resends are told from its retries.
/// </param>
internal sealed record AttemptExpectations(int Retries, TimeSpan Timeout, string? Backoff, bool Queues = false)
{
    /// <summary>How much later than <see cref="Timeout"/> an operation may end: 20 % of it, at least 1 s.</summary>
    public TimeSpan Tolerance => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Timeout.Ticks / 5));
}

/// <summary>One operation of the caller as the proxy saw it: its attempts, in arrival order.</summary>
/// <param name="Method">The method of its attempts.</param>
/// <param name="Target">Their request target.</param>
/// <param name="Key">Their <c>Idempotency-Key</c>, or null.</param>
/// <param name="Attempts">The attempts.</param>
internal sealed record RetriedOperation(string Method, string Target, string? Key, IReadOnlyList<ProxiedRequest> Attempts)
{
    /// <summary>
    /// The caller's fallback queue sending the work again at a steady pace after the attempts: not retries of the
    /// operation, so neither counted against its retries nor judged for backoff and jitter. Empty unless the caller
    /// declares a queue (<see cref="AttemptExpectations.Queues"/>).
    /// </summary>
    public IReadOnlyList<ProxiedRequest> Resends { get; init; } = [];

    /// <summary>This operation with its attempts from the <paramref name="first"/> (0-based) on moved to the front of <see cref="Resends"/>.</summary>
    public RetriedOperation ResentFrom(int first) =>
        this with { Attempts = Attempts.Take(first).ToList(), Resends = [.. Attempts.Skip(first), .. Resends] };

    /// <summary>"then the queue resent it 3 times, every 2.00 s", or null without resends.</summary>
    public string? ResendSummary => Resends.Count switch
    {
        0 => null,
        1 => "then the queue resent it once",
        _ => $"then the queue resent it {Resends.Count} times, every {AttemptReport.Sec(TimeSpan.FromMilliseconds(AttemptAnalysis.Median([.. Resends.Zip(Resends.Skip(1), (a, b) => Wait(a, b).TotalMilliseconds)])))}",
    };

    /// <summary>
    /// The caller's wait before each retry: from the end of an attempt (its answer, or the caller giving up on it) to the
    /// next attempt; from start to start when the end is unknown. One fewer than the attempts.
    /// </summary>
    public IReadOnlyList<TimeSpan> Waits => [.. Attempts.Zip(Attempts.Skip(1), (a, b) => Wait(a, b))];

    /// <summary>From the first attempt's arrival to the last attempt's end (or arrival, while it has none).</summary>
    public TimeSpan Span => (AttemptAnalysis.End(Attempts[^1]) ?? Attempts[^1].At) - Attempts[0].At;

    internal static TimeSpan Wait(ProxiedRequest previous, ProxiedRequest next)
    {
        var wait = next.At - (AttemptAnalysis.End(previous) ?? previous.At);
        return wait > TimeSpan.Zero ? wait : next.At - previous.At;
    }
}

/// <summary>How one aspect of the caller's retries was judged.</summary>
internal enum Outcome
{
    /// <summary>As declared.</summary>
    Pass,

    /// <summary>Not as declared; the detail says how.</summary>
    Fail,

    /// <summary>Not enough attempts to judge; the detail says why.</summary>
    NotJudged,
}

/// <summary>One judgement: its outcome and what it rests on.</summary>
internal sealed record Judgement(Outcome Outcome, string Detail)
{
    public bool Failed => Outcome == Outcome.Fail;
}

/// <summary>The operations found in a fault window and the judgements over them.</summary>
internal sealed record AttemptReport(IReadOnlyList<RetriedOperation> Operations, AttemptExpectations Expected)
{
    /// <summary>No operation made more than <c>Retries + 1</c> attempts.</summary>
    public required Judgement Bounded { get; init; }

    /// <summary>The caller retried as declared: some operation made all the attempts its retries allow (judged under a fault that fails at once).</summary>
    public required Judgement Retried { get; init; }

    /// <summary>The caller backs off: its waits are not a fixed pace, not all immediate, not shrinking; the growth per retry is reported.</summary>
    public required Judgement Backoff { get; init; }

    /// <summary>The waits at the same retry differ between operations (jitter).</summary>
    public required Judgement Jitter { get; init; }

    /// <summary>Retried writes carry an <c>Idempotency-Key</c>, one per operation.</summary>
    public required Judgement Keys { get; init; }

    /// <summary>The caller gave up on each unanswered attempt, and on each operation, within its timeout plus tolerance.</summary>
    public required Judgement Timeouts { get; init; }

    /// <summary>
    /// An operation made one attempt past its retries, after a wait longer than any before it, while the caller declares
    /// a queue: that attempt may be the queue's timer resending the work, or one retry too many, and no operation of the
    /// same call stopped at the limit to tell which (<see cref="AttemptAnalysis.LoneResends"/>). Another operation decides.
    /// </summary>
    public bool ResendUndecided { get; init; }

    /// <summary>The judgements in a fixed order, with their names.</summary>
    public IEnumerable<(string Name, Judgement Judgement)> All =>
        [("bounded", Bounded), ("retried", Retried), ("backoff", Backoff), ("jitter", Jitter), ("idempotency key", Keys), ("timeouts", Timeouts)];

    /// <summary>Every operation with its attempts relative to <paramref name="origin"/>, one line each, for evidence.</summary>
    public string Describe(DateTimeOffset origin)
    {
        var text = new StringBuilder();
        foreach (var op in Operations)
        {
            var keys = op.Attempts.Select(a => a.IdempotencyKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            text.Append(op.Method).Append(' ').Append(op.Target).Append(op.Key is null ? " (no Idempotency-Key)" : keys.Count > 1 ? $" keys {string.Join(", ", keys)}" : $" key {op.Key}")
                .Append(": ").Append(op.Attempts.Count).Append(op.Attempts.Count == 1 ? " attempt: " : " attempts: ")
                .AppendJoin(", ", op.Attempts.Select(a => $"t+{Sec(a.At - origin)} {Answer(a)}"));
            if (op.Attempts.Count > 1)
            {
                text.Append("; waits ").AppendJoin(", ", op.Waits.Select(Sec));
            }

            if (op.ResendSummary is { } resent)
            {
                text.Append("; ").Append(resent).Append(" (not retries): ").AppendJoin(", ", op.Resends.Select(a => $"t+{Sec(a.At - origin)} {Answer(a)}"));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Answer(ProxiedRequest a) =>
        a.Status is { } s ? s.ToString(CultureInfo.InvariantCulture)
        : a.AbandonedAfter is { } left ? $"given up after {Sec(left)}"
        : "no answer";

    internal static string Sec(TimeSpan t) => $"{t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
}

/// <summary>
/// Reads the requests an edge's proxy recorded during a fault window as the caller's operations and judges them:
/// attempts bounded by the declared retries, backing off (exponentially when declared), with jitter, one
/// <c>Idempotency-Key</c> per retried write, and each unanswered attempt and operation given up within the timeout.
/// Shared by step 4 (service edges) and step 6 (third parties).
/// </summary>
internal static class AttemptAnalysis
{
    /// <summary>
    /// Waits after the first retry of which at least three in four lie within this distance of their median, and that
    /// do not rise by more than <see cref="RisingStep"/> step by step in every operation (a linear backoff does), are a fixed pace (a timer resending the
    /// work), not a backoff. Wide enough for the timer noise of a loaded machine, and the share leaves room for one
    /// stall (a 700 ms timer measured 0.71, 0.72, 1.15 s). <value>15 %</value>.
    /// </summary>
    public const double ConstantSpread = 0.15;

    /// <summary>
    /// How much longer than the one before each later wait must be, in every operation, to be a rising (linear) backoff
    /// rather than a fixed pace whose timer noise happens to rise: a 700 ms timer measured 0.71, 0.72, 0.74 s on a
    /// loaded machine; a linear backoff of 1.0, 1.1, 1.2 s rises by 9-10 %. <value>5 %</value>.
    /// </summary>
    public const double RisingStep = 0.05;

    /// <summary>
    /// Below this per-retry factor the waits shrink: no backoff. Not 1: decorrelated jitter (Polly's) lets the mean
    /// waits of two operations fall now and then though their sums grow. <value>0.8</value>.
    /// </summary>
    public const double Shrinking = 0.8;

    /// <summary>
    /// At or above this per-retry factor (or rising at every wait in every operation) the waits grow: a backoff. Between
    /// <see cref="Shrinking"/> and this the growth is not judged: decorrelated jitter can look flat over a few waits,
    /// and so can a constant delay with jitter. <value>1.15</value>.
    /// </summary>
    public const double Growing = 1.15;

    /// <summary>Waits all below this are retries at once. <value>20 ms</value>.</summary>
    public static readonly TimeSpan Immediate = TimeSpan.FromMilliseconds(20);

    /// <summary>Below this relative spread of the waits at one retry across operations, there is no jitter. <value>3 %</value>.</summary>
    public const double JitterSpread = 0.03;

    /// <summary>
    /// Attempts after an operation's retries whose intervals all lie within this distance of their median are a steady
    /// cadence (a queue's timer), when the caller declares a queue: a jittered outbox or a loaded machine stays well
    /// within it; a backoff that keeps going doubles. <value>25 %</value>.
    /// </summary>
    public const double ResendSpread = 0.25;

    /// <summary>Waits this short between retries are a tight loop, and an attempt this soon after one belongs to it. <value>100 ms</value>.</summary>
    public static readonly TimeSpan TightLoop = TimeSpan.FromMilliseconds(100);

    /// <summary>A queue resends on a timer no faster than this; a faster pace is a retry loop. <value>500 ms</value>.</summary>
    public static readonly TimeSpan ResendFloor = TimeSpan.FromMilliseconds(500);

    private static readonly HashSet<string> Writes = new(StringComparer.OrdinalIgnoreCase) { "POST", "PUT", "PATCH", "DELETE" };

    /// <summary>When an attempt ended: its answer, or the caller giving up; null while neither happened.</summary>
    public static DateTimeOffset? End(ProxiedRequest r) =>
        r.Duration is { } d ? r.At + d : r.AbandonedAfter is { } left ? r.At + left : null;

    /// <summary>
    /// Groups <paramref name="requests"/> into operations and judges them. Attempts with the same method, target and
    /// <c>Idempotency-Key</c> belong to one operation until one starts a whole <see cref="AttemptExpectations.Timeout"/>
    /// after the operation's first, or until, once it has all the attempts its retries allow, the waits start over (a
    /// wait less than half the one before it or the operation's last: the caller's own queue sending the work again, a new operation).
    /// When the caller declares a queue, the attempts that follow a full operation at a steady cadence are its resends
    /// (<see cref="RetriedOperation.Resends"/>), not more attempts.
    /// </summary>
    /// <param name="requests">The requests of the fault window.</param>
    /// <param name="expected">What the caller declares.</param>
    /// <param name="now">The end of the window: an attempt still unanswered is judged as held until then.</param>
    /// <param name="operations">How many operations the check started (drives), when known: more keys than that on one write target means a new key per retry.</param>
    /// <param name="later">
    /// Requests after the window (the fault removed), never judged: the first of an operation's after its last attempt
    /// shows whether the waits started over there. A window that ends just after a queue's next send would otherwise
    /// count that send as one retry too many.
    /// </param>
    /// <param name="answered">
    /// When the caller answered each drive (its client got the answer). With a declared queue, an operation that the
    /// caller waited for before answering, with attempts after the answer too, had its request's retries over: the
    /// attempts after the answer are the queue's (<see cref="AfterTheAnswer"/>).
    /// </param>
    /// <param name="rounds">
    /// When each fault window (round) began: one drive each, so no operation spans two. Attempts without a key are
    /// otherwise grouped by method and target only, and two rounds' single calls would read as one call and its retry.
    /// </param>
    public static AttemptReport Analyze(
        IEnumerable<ProxiedRequest> requests, AttemptExpectations expected, DateTimeOffset now, int? operations = null, IEnumerable<ProxiedRequest>? later = null,
        IEnumerable<DateTimeOffset>? answered = null, IEnumerable<DateTimeOffset>? rounds = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(expected);
        var list = requests.OrderBy(r => r.At).ToList();
        var after = (later ?? []).OrderBy(r => r.At).ToList();
        // A caller that takes a new key on each attempt (more keys on a write target than the operations driven) makes
        // every attempt look like its own operation: "no retry". Its attempts are grouped by time instead, as keyless
        // ones are, so retries, backoff and bounds are judged on the real operations; the key judgement counts the keys.
        var renewing = operations is { } driven
            ? list.Where(r => Writes.Contains(r.Method) && r.IdempotencyKey is not null).GroupBy(r => (r.Method, r.Target))
                .Where(g => g.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal).Count() > driven).Select(g => g.Key).ToHashSet()
            : [];
        var starts = (rounds ?? []).Order().ToList();
        (string Method, string Target, string? Key, int Round) Operation(ProxiedRequest r) =>
            (r.Method, r.Target, renewing.Contains((r.Method, r.Target)) ? null : r.IdempotencyKey, starts.Count(s => s <= r.At));
        var ops = list.GroupBy(Operation)
            .SelectMany(g => Split([.. g], expected, after.FirstOrDefault(r => r.At > g.Last().At && Operation(r) == g.Key)))
            .OrderBy(o => o.Attempts[0].At).ToList();
        AfterTheAnswer(ops, expected, [.. (answered ?? []).Order()]);
        var undecided = LoneResends(ops, expected);
        return new AttemptReport(ops, expected)
        {
            ResendUndecided = undecided,
            Bounded = JudgeBounded(ops, expected),
            Retried = JudgeRetried(ops, expected),
            Backoff = JudgeBackoff(ops, expected),
            Jitter = JudgeJitter(ops),
            Keys = JudgeKeys(ops, operations),
            Timeouts = JudgeTimeouts(ops, expected, now),
        };
    }

    /// <summary>
    /// A caller that calls the dependency while its client waits, then answers with its fallback (202: queued), has
    /// ended that request's retries when it answers: attempts after the answer are its queue sending the work again
    /// (ex10: four attempts, 202 at 1.1 s, the outbox's send at 2.8 s; ex11: three attempts cut by a 5 s deadline, 201
    /// at 5.0 s, the resend job's send at 5.9 s, which had made the operation "7.4 s long"). Applies with a declared
    /// queue to an operation the caller waited for before one answer of <paramref name="answered"/>: two attempts or
    /// more before it, or one the caller gave up on (a timeout); the attempts after the answer move to its
    /// <see cref="RetriedOperation.Resends"/>. A caller that answers at once, from a worker or with a call it does not
    /// wait for, has made at most one attempt, answered, before its answer, and is left as it is.
    /// </summary>
    private static void AfterTheAnswer(List<RetriedOperation> ops, AttemptExpectations expected, List<DateTimeOffset> answered)
    {
        for (var i = 0; expected.Queues && i < ops.Count; i++)
        {
            var op = ops[i];
            foreach (var answer in answered)
            {
                var before = op.Attempts.Count(a => a.At < answer);
                if (before > 0 && before < op.Attempts.Count && (before >= 2 || op.Attempts[0].AbandonedAfter is not null))
                {
                    ops[i] = op.ResentFrom(before);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A queue whose timer is slower than the fault window sends the work again at most once in it, at any point of its
    /// period: one attempt past a full burst, after a wait longer than every wait before it (ex10: a 5 s outbox, 1.6 s
    /// after the last retry). One interval cannot tell such a resend from one retry too many; the count can, since a
    /// retry policy makes the same number of attempts whenever the fault is the same. So where another operation of the
    /// same call (method and target) stopped at the limit, that lone attempt is moved to the operation's
    /// <see cref="RetriedOperation.Resends"/> in <paramref name="ops"/>. True when such an attempt has nothing to be
    /// told by (every operation of its call made it): it stays an attempt, and another operation may decide.
    /// </summary>
    internal static bool LoneResends(List<RetriedOperation> ops, AttemptExpectations expected)
    {
        if (!expected.Queues)
        {
            return false;
        }

        var limit = expected.Retries + 1;
        var undecided = false;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var waits = op.Waits;
            if (op.Attempts.Count != limit + 1 || op.Resends.Count > 0 || waits[^1] < ResendFloor || waits.SkipLast(1).Any(w => w >= waits[^1]))
            {
                continue;
            }

            if (ops.Any(o => o.Method == op.Method && o.Target == op.Target && o.Attempts.Count == limit))
            {
                ops[i] = op.ResentFrom(limit);
            }
            else
            {
                undecided = true;
            }
        }

        return undecided;
    }

    private static IEnumerable<RetriedOperation> Split(List<ProxiedRequest> attempts, AttemptExpectations expected, ProxiedRequest? next)
    {
        var current = new List<ProxiedRequest>();
        for (var k = 0; k < attempts.Count; k++)
        {
            var a = attempts[k];
            if (expected.Queues && current.Count > expected.Retries && Resends(current, attempts, k, next) is > 0 and var resends)
            {
                yield return Op(current) with { Resends = attempts[k..(k + resends)] };
                current = [];
                k += resends - 1;
                continue;
            }

            if (current.Count > 0 && (a.At - current[0].At >= expected.Timeout || (current.Count > expected.Retries && StartsOver(attempts, k, next))))
            {
                yield return Op(current);
                current = [];
            }

            current.Add(a);
        }

        if (current.Count > 0)
        {
            yield return Op(current);
        }

        static RetriedOperation Op(List<ProxiedRequest> a) => new(a[0].Method, a[0].Target, a[0].IdempotencyKey, a);
    }

    /// <summary>
    /// How many attempts from <paramref name="k"/> on are the caller's queue resending the work after the
    /// <paramref name="burst"/> of its retries; 0 when none. They come at a steady cadence: at least two intervals (the
    /// last may reach <paramref name="next"/>, the first send after the window), all within <see cref="ResendSpread"/>
    /// of their median, none shorter than the burst's last wait or <see cref="ResendFloor"/>; and the first resend
    /// within one such interval of the burst (the timer's phase: 0.79 s, then every 2.00 s). A tail irregular or faster
    /// than the backoff is a caller retrying too often.
    /// </summary>
    private static int Resends(List<ProxiedRequest> burst, List<ProxiedRequest> attempts, int k, ProxiedRequest? next)
    {
        var floor = Math.Max(ResendFloor.TotalMilliseconds, burst.Count > 1 ? RetriedOperation.Wait(burst[^2], burst[^1]).TotalMilliseconds : 0);
        var phase = RetriedOperation.Wait(burst[^1], attempts[k]).TotalMilliseconds;
        // A retry loop with no wait goes on at its own pace: an attempt as quick after it is one more of its retries, not the
        // queue's first resend (8 retries at once, the 8th 40 ms after the 7th, then the outbox every 2 s).
        if (phase < TightLoop.TotalMilliseconds && burst.Zip(burst.Skip(1), RetriedOperation.Wait).All(w => w < TightLoop))
        {
            return 0;
        }

        for (var count = attempts.Count - k; count > 0; count--)
        {
            var run = attempts[k..(k + count)];
            if (Steady(run) || (k + count == attempts.Count && next is not null && Steady([.. run, next])))
            {
                return count;
            }
        }

        return 0;

        bool Steady(List<ProxiedRequest> run)
        {
            var intervals = run.Zip(run.Skip(1), RetriedOperation.Wait).Select(w => w.TotalMilliseconds).ToList();
            var period = intervals.Count < 2 ? 0 : Median(intervals);
            return period > 0 && phase <= period * (1 + ResendSpread) && intervals.All(i => i >= floor && Math.Abs(i - period) <= ResendSpread * period);
        }
    }

    /// <summary>
    /// Whether attempt <paramref name="k"/> begins again (the attempt after it the window's next, or <paramref name="next"/>
    /// after the window): the wait after it is less than half the longer of the wait before
    /// it and the operation's last retry wait. The first covers a queue that sends the work again after a pause; the second
    /// a queue polled on a timer, whose next send may come sooner after the last failure than the last backoff did (waits
    /// 0.08, 0.18, 0.46 s, then 0.13 s to the poll, then 0.15 s: the backoff started over).
    /// </summary>
    private static bool StartsOver(List<ProxiedRequest> attempts, int k, ProxiedRequest? next)
    {
        var following = k + 1 < attempts.Count ? attempts[k + 1] : next;
        if (following is null)
        {
            return false;
        }

        var before = RetriedOperation.Wait(attempts[k - 1], attempts[k]);
        if (k >= 2)
        {
            var lastRetry = RetriedOperation.Wait(attempts[k - 2], attempts[k - 1]);
            before = before > lastRetry ? before : lastRetry;
        }

        var after = RetriedOperation.Wait(attempts[k], following);
        return after < before / 2 && before - after > TimeSpan.FromMilliseconds(50);
    }

    private static Judgement JudgeBounded(List<RetriedOperation> ops, AttemptExpectations expected)
    {
        if (ops.Count == 0)
        {
            return new(Outcome.NotJudged, "no attempt reached the proxy");
        }

        var worst = ops.MaxBy(o => o.Attempts.Count)!;
        var limit = expected.Retries + 1;
        var resent = ops.Where(o => o.Resends.Count > 0).Select(o => $"; {o.ResendSummary} ({Label(o)})");
        return worst.Attempts.Count > limit
            ? new(Outcome.Fail, $"{worst.Attempts.Count} attempts in one operation ({Label(worst)}), more than the {limit} that {expected.Retries} retries allow")
            : new(Outcome.Pass, $"at most {worst.Attempts.Count} attempts per operation (limit {limit}){string.Concat(resent)}");
    }

    private static Judgement JudgeRetried(List<RetriedOperation> ops, AttemptExpectations expected)
    {
        if (ops.Count == 0)
        {
            return new(Outcome.NotJudged, "no attempt reached the proxy");
        }

        if (expected.Retries == 0)
        {
            return new(Outcome.Pass, "no retry declared");
        }

        // Under a fault that fails every attempt at once, an operation that retries as declared makes all its attempts
        // (a breaker may cut one short, not all of them); fewer everywhere is a caller that gives up early.
        var most = ops.Max(o => o.Attempts.Count);
        return most > expected.Retries
            ? new(Outcome.Pass, $"up to {most} attempts per operation")
            : new(Outcome.Fail, most == 1
                ? $"every one of {ops.Count} operation(s) made a single attempt: no retry, though {expected.Retries} are declared"
                : $"no operation made the {expected.Retries + 1} attempts that {expected.Retries} retries allow (at most {most}, the later ones possibly the caller's queue sending the work again): it gives up early");
    }

    private static Judgement JudgeBackoff(List<RetriedOperation> ops, AttemptExpectations expected)
    {
        if (expected.Backoff is { } declared && (declared.Equals("none", StringComparison.OrdinalIgnoreCase) || declared.Equals("constant", StringComparison.OrdinalIgnoreCase)))
        {
            return new(Outcome.Pass, $"backoff '{declared}' declared: growth not judged");
        }

        var retried = ops.Where(o => o.Attempts.Count >= 3).ToList();
        if (retried.Count == 0)
        {
            return new(Outcome.NotJudged, "no operation made three attempts or more (two waits to compare)");
        }

        var waits = string.Join("; ", retried.Select(o => string.Join(", ", o.Waits.Select(AttemptReport.Sec))));

        // The waits after the first retry: a fixed pace (a timer resending the work) shows as nearly equal ones.
        var later = retried.SelectMany(o => o.Waits.Skip(1)).Select(w => w.TotalMilliseconds).ToList();
        var paced = retried.Where(o => o.Waits.Count >= 3).ToList(); // two later waits to compare
        // Rising means each later wait longer than the one before by more than timer noise: a fixed pace whose noise
        // happens to rise in every operation (likely with one or two of them) is still a fixed pace.
        var rising = paced.Count > 0 && paced.All(o => o.Waits.Skip(1).Zip(o.Waits.Skip(2)).All(p => p.Second.TotalMilliseconds > p.First.TotalMilliseconds * (1 + RisingStep)));
        // And a timer waits as long before the first retry as before the others; a backoff's first wait is the shortest
        // (0.31 and 0.16 s, then 0.54, 0.47, 0.41 s seen from Polly's exponential backoff with decorrelated jitter).
        // Counted per operation, at least half of them: one first wait stretched by a starved machine (0.14 s in one
        // operation, 1.07 s in the next, the later waits 0.20-0.27 s, seen in CI from ±40 % jitter on 0.1 s × 2^k)
        // must not outweigh the others, and a timer's waits are only ever stretched, never cut short.
        var laterMedian = Median(later);
        var firstShorter = retried.Count(o => o.Waits[0].TotalMilliseconds < laterMedian * (1 - ConstantSpread)) * 2 >= retried.Count;
        // Three later waits at least: two alike are what decorrelated jitter gives now and then (0.32 s, then 0.37 and
        // 0.38 s seen from Polly's exponential backoff), so one operation of three waits is a fixed pace only when all
        // three are the same within timer noise (a constant delay without jitter). Such a delay waits the same in every
        // operation, so the others must agree: decorrelated jitter drew 0.36, 0.33, 0.32 s for one operation in CI,
        // and 0.26, 0.22 s for the one before it.
        var alike = later.Count >= 3 && later.Average() > 0 && NearMedian(later) >= 0.75 && !rising && !firstShorter;
        var everyWait = retried.SelectMany(o => o.Waits).Select(w => w.TotalMilliseconds).ToList();
        var same = retried.FirstOrDefault(o => o.Waits.Count >= 3 && Spread([.. o.Waits.Select(w => w.TotalMilliseconds)]) <= RisingStep * 2 && o.Waits[0] >= Immediate && !rising
            && Near(everyWait, o.Waits.Average(w => w.TotalMilliseconds), RisingStep * 2) >= 0.75);
        // A queue polled on a timer sends the work again at the timer's phase first (0.64 s of a 1 s timer), then at the
        // full period: three or more later waits of one operation within timer noise of each other, and of the other
        // operations' later waits, are that timer, however short its first wait was.
        var polled = retried.FirstOrDefault(o => o.Waits.Count >= 4 && !rising && o.Waits.Skip(1).All(w => w >= Immediate)
            && Spread([.. o.Waits.Skip(1).Select(w => w.TotalMilliseconds)]) <= RisingStep * 2
            && Near(later, o.Waits.Skip(1).Average(w => w.TotalMilliseconds), RisingStep * 2) >= 0.75);
        // Two retries give two waits per operation, too few for the tests above. A constant delay still waits the same
        // every time, in every operation; a backoff's second wait is drawn around twice its first, so with jitter too its
        // four waits of two operations all near one value are a rare draw (about 1 in 100 at ±40 %): all within 15 % of
        // their median, in two operations at least, is a fixed pace (0.10, 0.11 s; 0.10, 0.11 s seen from a caller that
        // retried every 100 ms under `backoff: exponential`).
        var pairs = retried.Count >= 2 && retried.All(o => o.Waits.Count == 2) && everyWait.All(w => w >= Immediate.TotalMilliseconds)
            && Near(everyWait, Median(everyWait), ConstantSpread) == 1;
        if (alike || same is not null || polled is not null || pairs)
        {
            var (count, of, which, spread) =
                alike ? (later.Count + retried.Count, later.Average(), "the later ones all", ConstantSpread)
                : same is not null ? (same.Waits.Count, same.Waits.Average(w => w.TotalMilliseconds), "all", RisingStep * 2)
                : polled is not null ? (polled.Waits.Count, polled.Waits.Skip(1).Average(w => w.TotalMilliseconds), "all after the first", RisingStep * 2)
                : (everyWait.Count, Median(everyWait), $"in {retried.Count} operations all", ConstantSpread);
            return new(Outcome.Fail, $"waits do not grow: {count} waits ({waits}), {which} within {spread.ToString("P0", CultureInfo.InvariantCulture)} of {AttemptReport.Sec(TimeSpan.FromMilliseconds(of))}: no backoff");
        }

        var all = ops.SelectMany(o => o.Waits).ToList();
        if (all.Count > 0 && all.All(w => w < Immediate))
        {
            return new(Outcome.Fail, $"retries follow at once (every wait under {Immediate.TotalMilliseconds:0} ms; waits {waits}): no backoff");
        }

        var growth = Growth(retried);
        var factor = growth.ToString("0.00", CultureInfo.InvariantCulture);
        // A slow linear backoff grows by less than Growing per retry but rises at every wait, the first included.
        var climbing = retried.All(o => o.Waits.Zip(o.Waits.Skip(1)).All(p => p.Second.TotalMilliseconds > p.First.TotalMilliseconds * (1 + RisingStep)));
        if (growth >= Growing || climbing)
        {
            return new(Outcome.Pass, $"waits grow ×{factor} per retry (mean waits by retry; waits {waits})");
        }

        if (growth >= Shrinking)
        {
            return new(Outcome.NotJudged, $"waits with no clear growth over {retried.Count} operation(s) (×{factor} per retry; waits {waits}): growth not judged");
        }

        // Decorrelated jitter (Polly's UseJitter) draws each wait afresh: over a few operations the pooled means can fall
        // by chance. Only waits that fall step by step in every operation are a caller that shortens its waits.
        var falling = retried.All(o => o.Waits.Zip(o.Waits.Skip(1)).All(p => p.Second < p.First));
        return falling
            ? new(Outcome.Fail, $"waits shrink (×{factor} per retry; waits {waits}): no backoff")
            : new(Outcome.NotJudged, $"jittered waits with no clear trend over {retried.Count} operation(s) (×{factor} per retry; waits {waits}): growth not judged");
    }

    /// <summary>
    /// Per-retry growth of the mean wait at each retry across operations (least squares on the logarithms). Pooled,
    /// because decorrelated jitter (Polly's) lets one operation's waits shrink now and then while their sum grows.
    /// </summary>
    private static double Growth(List<RetriedOperation> ops)
    {
        var means = new List<double>();
        for (var i = 0; ; i++)
        {
            var at = ops.Where(o => o.Waits.Count > i).Select(o => Math.Max(1, o.Waits[i].TotalMilliseconds)).ToList();
            if (at.Count == 0)
            {
                break;
            }

            means.Add(Math.Log(at.Average()));
        }

        var x = (means.Count - 1) / 2.0;
        var y = means.Average();
        var slope = means.Select((m, i) => (i - x) * (m - y)).Sum() / means.Select((_, i) => (i - x) * (i - x)).Sum();
        return Math.Exp(slope);
    }

    private static double Spread(List<double> values) => (values.Max() - values.Min()) / Math.Max(1, values.Max());

    /// <summary>The share of <paramref name="values"/> within <see cref="ConstantSpread"/> of their median.</summary>
    private static double NearMedian(List<double> values) => Near(values, Median(values), ConstantSpread);

    /// <summary>The share of <paramref name="values"/> within <paramref name="spread"/> (relative) of <paramref name="center"/>.</summary>
    private static double Near(List<double> values, double center, double spread) =>
        center <= 0 || values.Count == 0 ? 0 : (double)values.Count(v => Math.Abs(v - center) <= spread * center) / values.Count;

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Judgement JudgeJitter(List<RetriedOperation> ops)
    {
        var retried = ops.Where(o => o.Attempts.Count >= 2).ToList();
        if (retried.Count < 2)
        {
            return new(Outcome.NotJudged, "fewer than two retried operations to compare");
        }

        var spreads = new List<double>();
        for (var i = 0; ; i++)
        {
            var at = retried.Where(o => o.Waits.Count > i).Select(o => o.Waits[i].TotalMilliseconds).ToList();
            if (at.Count < 2)
            {
                break;
            }

            spreads.Add(Spread(at));
        }

        var widest = spreads.Max();
        return widest >= JitterSpread
            ? new(Outcome.Pass, $"waits at the same retry differ by up to {widest.ToString("P0", CultureInfo.InvariantCulture)} between {retried.Count} operations")
            : new(Outcome.Fail, $"waits at the same retry are the same in all {retried.Count} operations (within {widest.ToString("P1", CultureInfo.InvariantCulture)}): no jitter, so callers retry in step");
    }

    private static Judgement JudgeKeys(List<RetriedOperation> ops, int? operations)
    {
        var writes = ops.Where(o => Writes.Contains(o.Method)).ToList();
        if (writes.Count == 0)
        {
            return new(Outcome.NotJudged, "no write was attempted");
        }

        if (writes.FirstOrDefault(o => o.Key is null && o.Attempts.Count >= 2) is { } bare)
        {
            return new(Outcome.Fail, $"{bare.Method} {bare.Target} was retried {bare.Attempts.Count - 1} time(s) without an Idempotency-Key: a retry after a lost answer can do it twice");
        }

        foreach (var target in writes.Where(o => o.Key is not null).GroupBy(o => (o.Method, o.Target)))
        {
            // Counted over the attempts: a caller renewing its key has its attempts grouped by time, several keys in one operation.
            var keys = target.SelectMany(o => o.Attempts).Select(a => a.IdempotencyKey).OfType<string>().Distinct(StringComparer.Ordinal).Count();
            if (operations is { } n && keys > n)
            {
                return new(Outcome.Fail, $"{keys} different Idempotency-Keys on {target.Key.Method} {target.Key.Target} for {n} operation(s): a new key on each retry defeats it");
            }
        }

        return writes.All(o => o.Key is null)
            ? new(Outcome.NotJudged, "writes carried no Idempotency-Key, and none was retried")
            : new(Outcome.Pass, "every retried write kept its Idempotency-Key");
    }

    private static Judgement JudgeTimeouts(List<RetriedOperation> ops, AttemptExpectations expected, DateTimeOffset now)
    {
        // A queue's resends are calls too: each must be given up within the timeout, though they are no part of the span.
        var unanswered = ops.SelectMany(o => o.Attempts.Concat(o.Resends)).Where(a => a.Status is null && !a.Forwarded).ToList();
        if (unanswered.Count == 0)
        {
            return new(Outcome.NotJudged, "every attempt was answered");
        }

        var limit = expected.Timeout + expected.Tolerance;
        if (unanswered.FirstOrDefault(a => a.AbandonedAfter is null && now - a.At > limit) is { } held)
        {
            return new(Outcome.Fail, $"an attempt unanswered since {AttemptReport.Sec(now - held.At)} is still held open: no timeout within {AttemptReport.Sec(limit)}");
        }

        if (unanswered.Where(a => a.AbandonedAfter > limit).MaxBy(a => a.AbandonedAfter) is { } slow)
        {
            return new(Outcome.Fail, $"an unanswered attempt was given up only after {AttemptReport.Sec(slow.AbandonedAfter!.Value)}, beyond the {AttemptReport.Sec(expected.Timeout)} timeout (+{AttemptReport.Sec(expected.Tolerance)})");
        }

        if (ops.Where(o => o.Attempts.All(a => End(a) is not null) && o.Span > limit).MaxBy(o => o.Span) is { } longest)
        {
            return new(Outcome.Fail, $"one operation ({Label(longest)}) went on for {AttemptReport.Sec(longest.Span)} over {longest.Attempts.Count} attempts, beyond the {AttemptReport.Sec(expected.Timeout)} timeout (+{AttemptReport.Sec(expected.Tolerance)})");
        }

        var given = unanswered.Where(a => a.AbandonedAfter is not null).Select(a => a.AbandonedAfter!.Value).ToList();
        return new(Outcome.Pass, given.Count == 0
            ? "no unanswered attempt outlasted the timeout"
            : $"unanswered attempts given up after {AttemptReport.Sec(given.Min())}-{AttemptReport.Sec(given.Max())}, within {AttemptReport.Sec(limit)}");
    }

    private static string Label(RetriedOperation o) => o.Key is null ? $"{o.Method} {o.Target}" : $"key {o.Key}";
}
