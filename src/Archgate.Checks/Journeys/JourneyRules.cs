namespace Archgate.Checks.Journeys;

/// <summary>Rule ids of step 7 (integration testing); documented in docs/rules.md.</summary>
internal static class JourneyRules
{
    /// <summary>The success rate of a journey, and its runs (information).</summary>
    public const string Summary = "AG7000";

    /// <summary>A critical journey succeeded in fewer than 95 % of its runs.</summary>
    public const string CriticalJourneyFailed = "AG7001";

    /// <summary>A journey that is not critical failed.</summary>
    public const string JourneyFailed = "AG7002";

    /// <summary>A journey's setup failed, so it could not run.</summary>
    public const string SetupFailed = "AG7003";

    /// <summary>A journey with browser steps could not run in an engine (not installed, or it did not start): that cell of the matrix is not evaluated.</summary>
    public const string BrowserNotEvaluated = "AG7004";

    /// <summary>The stored row differs from what the API answered after a write.</summary>
    public const string RowDiffers = "AG7010";

    /// <summary>No row was found for a resource the API said it wrote.</summary>
    public const string RowMissing = "AG7011";

    /// <summary>The API's read of a written resource does not give back what was sent.</summary>
    public const string ReadDiffers = "AG7012";

    /// <summary>The database could not be read for the consistency check.</summary>
    public const string ConsistencyNotChecked = "AG7013";

    /// <summary>More than one of N updates with the same ETag succeeded: an update was lost.</summary>
    public const string LostUpdate = "AG7020";

    /// <summary>A concurrent update with a stale ETag was answered otherwise than 409 or 412, or a race of creates answered 5xx.</summary>
    public const string UnexpectedConcurrentAnswer = "AG7021";

    /// <summary>Parallel creates with one Idempotency-Key created more than one resource.</summary>
    public const string DuplicateCreate = "AG7022";

    /// <summary>Parallel creates of overlapping periods (a room's stays) created more than one, where the service refuses an overlap alone: a double booking.</summary>
    public const string OverlappingCreate = "AG7024";

    /// <summary>Parallel creates that each take a quantity of an item their body names (an order of a kit's stock) took more than there was, or lost decrements.</summary>
    public const string Oversold = "AG7025";

    /// <summary>What the concurrency check did, or why part of it could not run (information).</summary>
    public const string ConcurrencySummary = "AG7023";

    /// <summary>An edge case (invalid input, the largest payload, an empty list) caused a server error.</summary>
    public const string EdgeCaseServerError = "AG7030";

    /// <summary>Invalid input (or a payload beyond the contract's maxLength/maxItems) was accepted, not refused with 4xx.</summary>
    public const string InvalidInputAccepted = "AG7031";

    /// <summary>Invalid input was refused, but the answer is no problem a person can read (not JSON, no title, or internals).</summary>
    public const string UnreadableProblem = "AG7032";

    /// <summary>The largest payload the contract allows was refused as invalid.</summary>
    public const string LargestRefused = "AG7033";

    /// <summary>A list that matches nothing was not answered 200 with an empty list.</summary>
    public const string EmptyListNotOk = "AG7034";

    /// <summary>The edge cases of one operation: every request and answer (information).</summary>
    public const string EdgeCaseSummary = "AG7035";

    /// <summary>A journey or operation whose edge cases could not be derived or sent (information).</summary>
    public const string EdgeCasesNotCovered = "AG7036";

    /// <summary>After a network failure halfway through a journey, the journey run again from its start failed.</summary>
    public const string NotRecovered = "AG7037";

    /// <summary>What the network-failure check did, or why it could not (information).</summary>
    public const string NetworkFailureSummary = "AG7038";

    /// <summary>After a write and a reload, the page that shows the resource does not show it.</summary>
    public const string PageMissing = "AG7040";

    /// <summary>After a write and a reload, the page shows the resource with values that differ from the API's read and the stored row (stale).</summary>
    public const string PageStale = "AG7041";

    /// <summary>What the page-consistency check compared, or why it could not (information).</summary>
    public const string PageSummary = "AG7042";

    /// <summary>The last real-time event about a written resource differs from the stored row or the API's read.</summary>
    public const string EventDiffers = "AG7045";

    /// <summary>A write caused no real-time event about the resource it wrote within the endpoint's bound.</summary>
    public const string EventMissingForWrite = "AG7046";

    /// <summary>What the real-time consistency check compared, or why it could not (information).</summary>
    public const string EventSummary = "AG7047";

    /// <summary>After a network failure in the middle of a browser journey, neither a retry nor a reload completed it.</summary>
    public const string PageNotRecovered = "AG7050";

    /// <summary>What the browser network-failure check did, or why it could not (information).</summary>
    public const string PageRecoverySummary = "AG7051";

    /// <summary>Walking a list's pages never yielded an item the list read at once has: the pages skip items.</summary>
    public const string PageSkipsItems = "AG7060";

    /// <summary>Walking a list's pages yielded an item on more than one page.</summary>
    public const string PageRepeatsItems = "AG7061";

    /// <summary>What the pagination walk did, or why it could not (information; medium when a page link led nowhere).</summary>
    public const string PaginationSummary = "AG7062";

    /// <summary>An action answered 5xx after a sequence of actions on a fresh object: a transition crashed the server.</summary>
    public const string TransitionServerError = "AG7070";

    /// <summary>A refused transition's answer is no problem a person can read.</summary>
    public const string TransitionUnreadable = "AG7071";

    /// <summary>An action was accepted where the service's declared <c>transitions</c> do not allow it after the previous accepted action.</summary>
    public const string IllegalTransitionAccepted = "AG7073";

    /// <summary>An action the declared <c>transitions</c> allow, sent in exactly that state, was refused with 4xx.</summary>
    public const string DeclaredTransitionRefused = "AG7074";

    /// <summary>The transition map of a resource: which sequences were accepted, which refused, what was not explored (information).</summary>
    public const string TransitionSummary = "AG7072";
}
