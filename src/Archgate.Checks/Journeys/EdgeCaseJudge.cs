using Archgate.Checks.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>What is wrong with an edge case's answer: the rule, how bad, what happened, how to mend it.</summary>
internal sealed record EdgeCaseVerdict(string Rule, Severity Severity, string Message, string Hint);

/// <summary>
/// Judges the answer to one edge case: broken input must be refused with 4xx and a problem a person can read (never
/// 5xx, never 2xx), the largest payload the contract allows must not be refused as invalid, and a filter that matches
/// nothing must answer 200 with an empty list.
/// </summary>
internal static class EdgeCaseJudge
{
    /// <summary>The verdict on <paramref name="answer"/>, or null when it is what the edge case needs.</summary>
    /// <param name="edge">The edge case sent.</param>
    /// <param name="answer">Its answer (with a status: a call without one is not judged).</param>
    /// <param name="listProperty">Where a list operation's items are (<see cref="EdgeCases.ListProperty"/>), for <see cref="EdgeCaseKind.Empty"/>.</param>
    public static EdgeCaseVerdict? Judge(EdgeCase edge, ApiAnswer answer, string? listProperty)
    {
        var status = answer.Status;
        if (status >= 500)
        {
            return new(JourneyRules.EdgeCaseServerError, Severity.High, $"{Describe(edge)} caused a server error ({status})",
                edge.Kind == EdgeCaseKind.Empty
                    ? "an empty result is an empty list, not an error"
                    : "validate the input before using it, and answer 400 (or 422) with application/problem+json naming the field");
        }

        switch (edge.Kind)
        {
            case EdgeCaseKind.Invalid or EdgeCaseKind.BeyondLargest when answer.Ok:
                return new(JourneyRules.InvalidInputAccepted, Severity.High,
                    $"{Describe(edge)} was accepted ({status}){(answer.Header("Location") is { } location ? $" and stored at {location}" : string.Empty)}",
                    "validate every input against the contract's constraints before storing it, and answer 400 (or 422) naming the field");
            case EdgeCaseKind.Invalid or EdgeCaseKind.BeyondLargest when status is >= 400 and < 500 && Unreadable(answer) is var (severity, why):
                return new(JourneyRules.UnreadableProblem, severity,
                    $"{Describe(edge)} was refused ({status}), but {why}",
                    "answer application/problem+json (RFC 9457) with a 'title' a person can read and the field in 'errors' or 'detail'; no stack trace or type names");
            case EdgeCaseKind.Invalid or EdgeCaseKind.BeyondLargest when status is < 400:
                return new(JourneyRules.InvalidInputAccepted, Severity.Medium, $"{Describe(edge)} was answered {status}, not refused with 4xx",
                    "answer 400 (or 422) to input the contract does not allow");
            case EdgeCaseKind.Largest when status is 400 or 422:
                return new(JourneyRules.LargestRefused, Severity.Medium, $"{Describe(edge)} was refused as invalid ({status}), though the contract allows it",
                    "accept what the contract allows (or lower its maxLength/maxItems, a change for its consumers)");
            case EdgeCaseKind.Empty when status != 200:
                return new(JourneyRules.EmptyListNotOk, Severity.Medium, $"{Describe(edge)} was answered {status}, not 200 with an empty list",
                    "answer a list that matches nothing with 200 and an empty list: a page shows 'nothing found', not an error");
            case EdgeCaseKind.Empty when Items(answer, listProperty) is { } count and > 0:
                return new(JourneyRules.EmptyListNotOk, Severity.Low, $"{Describe(edge)} answered {count} item(s): the filter was not applied",
                    "apply every filter the contract declares");
            case EdgeCaseKind.Empty when Items(answer, listProperty) is null:
                return new(JourneyRules.EmptyListNotOk, Severity.Medium, $"{Describe(edge)} answered 200, but no list at {listProperty}",
                    "answer the list the contract declares, empty when nothing matches");
            default:
                return null;
        }
    }

    /// <summary>
    /// Why a refusal's body is no problem a person can read (<see cref="ErrorBody.Unreadable"/>), and how bad: medium,
    /// high when it gives the server's inside away; null when it is readable. Step 7's transitions judge their refusals by it too.
    /// </summary>
    public static (Severity Severity, string Why)? Unreadable(ApiAnswer answer) =>
        ErrorBody.Unreadable(answer) is { } why ? (ErrorBody.Leak(answer.Body) is null ? Severity.Medium : Severity.High, why) : null;

    /// <summary>What the case sent, for messages: <c>invalid input (body property 'x' left out)</c>.</summary>
    public static string Describe(EdgeCase edge) => edge.Kind switch
    {
        EdgeCaseKind.Invalid => $"invalid input ({edge.Purpose})",
        EdgeCaseKind.Largest => $"the largest payload the contract allows ({edge.Purpose})",
        EdgeCaseKind.BeyondLargest => $"a payload beyond the largest the contract allows ({edge.Purpose})",
        _ => $"a list that matches nothing ({edge.Purpose})",
    };

    /// <summary>How many items the list at <paramref name="listProperty"/> holds, or null when there is none.</summary>
    private static int? Items(ApiAnswer answer, string? listProperty) => EdgeCases.ListIn(answer.Body, listProperty)?.Count;
}
