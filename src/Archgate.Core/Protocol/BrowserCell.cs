using System.Globalization;
using System.Text.Json.Serialization;

namespace Archgate.Protocol;

/// <summary>
/// One cell of step 7's journey × engine matrix: how a journey with browser steps did in one engine (<c>passed</c>,
/// <c>failed</c> or <c>not-evaluated</c>, never passed when the engine did not run).
/// </summary>
/// <param name="Journey">The journey's name.</param>
/// <param name="Engine"><c>chromium</c>, <c>firefox</c> or <c>webkit</c>.</param>
/// <param name="Status"><c>passed</c> (every run succeeded), <c>failed</c>, or <c>not-evaluated</c> (the engine is not installed or did not start).</param>
/// <param name="SuccessRate">The share of runs that succeeded, in percent; null when not evaluated.</param>
/// <param name="Reason">Why it was not evaluated, or the check's first failing finding; null when passed.</param>
public sealed record BrowserCell(string Journey, string Engine, string Status, double? SuccessRate, string? Reason)
{
    /// <summary>The check id prefix of journeys; a browser journey's check ends in <c>@ENGINE</c>.</summary>
    public const string CheckPrefix = "journeys.run:";

    /// <summary>The engines in the matrix's column order.</summary>
    public static IReadOnlyList<string> Engines { get; } = ["chromium", "firefox", "webkit"];

    /// <summary>The cells of <paramref name="steps"/>' browser journey checks, in run order.</summary>
    public static IReadOnlyList<BrowserCell> Matrix(IEnumerable<StepResult> steps) =>
    [
        .. steps.SelectMany(s => s.Checks).Select(Of).OfType<BrowserCell>(),
    ];

    /// <summary>The cell text of a report: <c>passed (100 %)</c>, <c>failed (40 %)</c>, <c>not-evaluated: REASON</c>.</summary>
    [JsonIgnore]
    public string Text => Status switch
    {
        "not-evaluated" => $"not-evaluated: {Reason}",
        _ => string.Create(CultureInfo.InvariantCulture, $"{Status} ({SuccessRate:0.#} %)"),
    };

    private static BrowserCell? Of(CheckResult check)
    {
        var at = check.Id.LastIndexOf('@');
        if (!check.Id.StartsWith(CheckPrefix, StringComparison.Ordinal) || at < 0 || !Engines.Contains(check.Id[(at + 1)..]))
        {
            return null;
        }

        var journey = check.Id[CheckPrefix.Length..at];
        var engine = check.Id[(at + 1)..];
        var rate = check.Metrics.FirstOrDefault(m => m.Name == "journey_success_rate")?.Value;
        if (rate is null || check.Status is CheckStatus.Error or CheckStatus.Skipped)
        {
            return new BrowserCell(journey, engine, "not-evaluated", null, check.Reason ?? "the journey did not run");
        }

        var failing = check.Findings.FirstOrDefault(f => f.Severity >= Severity.Low);
        return rate >= 100 && failing is null
            ? new BrowserCell(journey, engine, "passed", rate, null)
            : new BrowserCell(journey, engine, "failed", rate, failing?.Message);
    }
}
