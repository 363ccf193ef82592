using System.Globalization;
using Archgate.Model;

namespace Archgate.Checks.LoadGenerator;

/// <summary>Comparison of a threshold (same members, in the same order, as <see cref="ThresholdComparison"/>).</summary>
public enum ThresholdOperator
{
    /// <summary><c>&lt;</c></summary>
    LessThan,

    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,

    /// <summary><c>&gt;</c></summary>
    GreaterThan,

    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,

    /// <summary><c>==</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,
}

/// <summary>Whether a threshold held.</summary>
public enum ThresholdStatus
{
    /// <summary>The observed value satisfies the threshold.</summary>
    Pass,

    /// <summary>The observed value breaks the threshold.</summary>
    Fail,

    /// <summary>
    /// Nothing was measured for the metric and tags (no such route or stage, or no successful request). It
    /// breaks the gate unless no data is explicitly allowed (<see cref="ThresholdOutcome.Fails"/>).
    /// </summary>
    NoData,
}

/// <summary>A threshold that could not be parsed: where (0-based <see cref="Position"/> in <see cref="Text"/>), what, and how to mend it.</summary>
/// <param name="Text">The threshold as written.</param>
/// <param name="Position">0-based character index of the problem.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Hint">How to write it instead.</param>
public sealed record ThresholdParseError(string Text, int Position, string Message, string Hint)
{
    /// <summary>The message, the threshold with a caret under the problem, and the hint.</summary>
    public override string ToString() =>
        $"threshold column {Position + 1}: {Message}{Environment.NewLine}  {Text}{Environment.NewLine}  {new string(' ', Position)}^{Environment.NewLine}  hint: {Hint}";
}

/// <summary>The verdict of one threshold on a <see cref="LoadResult"/>.</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Status">Pass, fail or no data.</param>
/// <param name="Observed">The observed value (ms for durations, 0-1 for failure rates, per second for rates), null without data.</param>
public sealed record ThresholdOutcome(Threshold Threshold, ThresholdStatus Status, double? Observed)
{
    /// <summary>The text people read for a threshold without data.</summary>
    public const string NoSuccessfulRequests = "no successful requests";

    /// <summary>Without data: <see cref="NoSuccessfulRequests"/>; null otherwise.</summary>
    /// <value>Default null.</value>
    public string? Reason { get; init; }

    /// <summary>
    /// Whether the threshold breaks the gate: failed, or without data unless <paramref name="allowNoData"/>
    /// (a target that never answered has no latency to judge, and must not pass for it).
    /// </summary>
    public bool Fails(bool allowNoData) => Status == ThresholdStatus.Fail || (Status == ThresholdStatus.NoData && !allowNoData);
}

/// <summary>
/// A k6-style threshold: <c>metric{tag:value,...}: aggregation op limit</c>, e.g.
/// <c>http_req_duration{route:GET /orders}: p(95)&lt;200</c>, <c>http_req_failed: rate&lt;0.01</c>,
/// <c>http_reqs: rate&gt;100</c>. Tags are <c>route</c> and <c>stage</c>.
/// </summary>
public sealed record Threshold
{
    private Threshold(ThresholdSpec spec) => Spec = spec;

    /// <summary>The parsed threshold, as the manifest holds it.</summary>
    public ThresholdSpec Spec { get; }

    /// <summary>The threshold as written.</summary>
    public string Text => Spec.Text;

    /// <summary>Metric name: http_req_duration, http_req_failed, http_reqs, http_req_late, data_sent, data_received, iterations.</summary>
    public string Metric => Spec.Metric;

    /// <summary>The <c>route</c> tag, or null for all routes.</summary>
    public string? Route => Spec.Route;

    /// <summary>The <c>stage</c> tag, or null for the whole run.</summary>
    public string? Stage => Spec.Stage;

    /// <summary>Aggregation: <c>p</c>, <c>avg</c>, <c>med</c>, <c>max</c>, <c>rate</c> or <c>count</c>.</summary>
    public string Aggregation => Spec.Aggregation;

    /// <summary>The percentile of a <c>p(N)</c> aggregation.</summary>
    public double Percentile => Spec.Percentile;

    /// <summary>The comparison.</summary>
    public ThresholdOperator Operator => (ThresholdOperator)(int)Spec.Comparison;

    /// <summary>The limit (ms for durations).</summary>
    public double Limit => Spec.Limit;

    /// <summary>A threshold from its parsed form (the manifest's <c>load.thresholds</c>).</summary>
    public static Threshold From(ThresholdSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new Threshold(spec);
    }

    /// <summary>Parses a threshold; on failure <paramref name="error"/> says where and how to mend it.</summary>
    public static bool TryParse(string text, out Threshold? threshold, out ThresholdParseError? error)
    {
        if (ThresholdSpec.TryParse(text, out var spec, out var syntax))
        {
            threshold = new Threshold(spec!);
            error = null;
            return true;
        }

        threshold = null;
        error = new ThresholdParseError(syntax!.Text, syntax.Position, syntax.Message, syntax.Hint);
        return false;
    }

    /// <summary>Parses a threshold.</summary>
    /// <exception cref="FormatException">The text is not a threshold; the message has the position and a hint.</exception>
    public static Threshold Parse(string text) =>
        TryParse(text, out var threshold, out var error) ? threshold! : throw new FormatException(error!.ToString());

    /// <summary>Judges <paramref name="result"/>.</summary>
    public ThresholdOutcome Evaluate(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var observed = Observe(result);
        if (observed is not { } value)
        {
            return new ThresholdOutcome(this, ThresholdStatus.NoData, null) { Reason = ThresholdOutcome.NoSuccessfulRequests };
        }

        var pass = Operator switch
        {
            ThresholdOperator.LessThan => value < Limit,
            ThresholdOperator.LessThanOrEqual => value <= Limit,
            ThresholdOperator.GreaterThan => value > Limit,
            ThresholdOperator.GreaterThanOrEqual => value >= Limit,
            ThresholdOperator.Equal => value == Limit,
            _ => value != Limit,
        };
        return new ThresholdOutcome(this, pass ? ThresholdStatus.Pass : ThresholdStatus.Fail, value);
    }

    /// <summary>The threshold as it reads, normalized.</summary>
    public override string ToString() => Text;

    private double? Observe(LoadResult result)
    {
        if (Metric == "iterations")
        {
            return Aggregation == "count" ? result.Iterations
                : result.Overall.Duration > TimeSpan.Zero ? result.Iterations / result.Overall.Duration.TotalSeconds : null;
        }

        var m = result.Find(Route, Stage);
        if (m is null || m.Requests == 0)
        {
            return null;
        }

        return (Metric, Aggregation) switch
        {
            ("http_req_duration", _) when m.Latency.Count == 0 => null,
            ("http_req_duration", "p") => m.Latency.PercentileMilliseconds(Percentile),
            ("http_req_duration", "med") => m.P50Ms,
            ("http_req_duration", "avg") => m.Latency.MeanMilliseconds,
            ("http_req_duration", "max") => m.MaxMs,
            ("http_req_failed", _) => m.FailedRate,
            ("http_req_late", _) => (double)m.LateRequests / m.Requests,
            ("http_reqs", "count") => m.Requests,
            ("http_reqs", _) => m.RequestsPerSecond,
            ("data_sent", "count") => m.BytesSent,
            ("data_sent", _) => m.Duration > TimeSpan.Zero ? m.BytesSent / m.Duration.TotalSeconds : null,
            ("data_received", "count") => m.BytesReceived,
            ("data_received", _) => m.Duration > TimeSpan.Zero ? m.BytesReceived / m.Duration.TotalSeconds : null,
            _ => null,
        };
    }

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
