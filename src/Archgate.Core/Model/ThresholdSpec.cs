namespace Archgate.Model;

/// <summary>Comparison of a threshold.</summary>
public enum ThresholdComparison
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

/// <summary>A threshold that could not be parsed: where (0-based <see cref="Position"/> in <see cref="Text"/>), what, and how to mend it.</summary>
/// <param name="Text">The threshold as written.</param>
/// <param name="Position">0-based character index of the problem.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Hint">How to write it instead.</param>
public sealed record ThresholdSyntaxError(string Text, int Position, string Message, string Hint);

/// <summary>
/// A parsed k6-style threshold, <c>metric{tag:value,...}: aggregation op limit</c>, for example
/// <c>http_req_duration{route:GET /orders}: p(95)&lt;200</c>. It is the manifest's syntax; the load engine
/// judges results with it. Parsed when the manifest loads, so a bad threshold is a manifest error.
/// </summary>
/// <param name="Text">The threshold as written (trimmed).</param>
/// <param name="Metric">http_req_duration, http_req_failed, http_reqs, http_req_late, data_sent, data_received or iterations.</param>
/// <param name="Route">The <c>route</c> tag, or null for all routes.</param>
/// <param name="Stage">The <c>stage</c> tag, or null for the whole run.</param>
/// <param name="Aggregation"><c>p</c>, <c>avg</c>, <c>med</c>, <c>max</c>, <c>rate</c> or <c>count</c>.</param>
/// <param name="Percentile">The percentile of a <c>p(N)</c> aggregation.</param>
/// <param name="Comparison">The comparison.</param>
/// <param name="Limit">The limit (ms for durations, 0-1 for failure rates).</param>
public sealed record ThresholdSpec(
    string Text,
    string Metric,
    string? Route,
    string? Stage,
    string Aggregation,
    double Percentile,
    ThresholdComparison Comparison,
    double Limit)
{
    /// <summary>Stop the load as soon as the threshold fails while it runs (k6's <c>abortOnFail</c>).</summary>
    /// <value>Default false: judged at the end only.</value>
    public bool AbortOnFail { get; init; }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says where and how to mend it.</summary>
    public static bool TryParse(string text, out ThresholdSpec? threshold, out ThresholdSyntaxError? error) =>
        ThresholdParser.TryParse(text, out threshold, out error);

    /// <summary>The threshold as written.</summary>
    public override string ToString() => Text;
}
