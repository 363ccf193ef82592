using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Browser;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Journeys;

/// <summary>A write a page's own fetch (or XMLHttpRequest) made: its method, URL, status, request body, Location and answer body.</summary>
internal sealed record PageWrite(string Method, string Url, int Status, string? RequestBody, string? Location, string AnswerBody);

/// <summary>
/// The browser steps of one journey run in one tab of one engine: each step waits (up to <paramref name="timeout"/>) for
/// what it needs, polling the page every 100 ms through <see cref="PageScripts"/>, so the steps mean the same in every
/// engine. A failure keeps a screenshot under <paramref name="evidenceFolder"/> (relative to <paramref name="outputDirectory"/>).
/// </summary>
internal sealed class BrowserSteps(IBrowserPage page, Uri frontendUrl, TimeSpan timeout, string outputDirectory, string evidenceFolder, string screenshotName)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly HashSet<string> _consumed = [];
    private readonly Dictionary<string, PageWrite> _writes = new(StringComparer.Ordinal);
    private int _marks;

    /// <summary>Changes how long each later step waits (shorter while the network is down, so a failure shows at once).</summary>
    public void WaitAtMost(TimeSpan wait) => timeout = wait;

    /// <summary>The first screenshot taken (of the first failure), relative to the run folder; null when none was.</summary>
    public string? Screenshot { get; private set; }

    /// <summary>Does <paramref name="action"/>; null when it succeeded, else what went wrong.</summary>
    public async Task<string?> RunAsync(BrowserAction action, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var failed = await DoAsync(action, variables, cancellationToken);
        await CollectWritesAsync(cancellationToken);
        return failed;
    }

    /// <summary>The writes the page made (with their answers) in this tab so far, oldest first, as far as the steps saw them.</summary>
    public IReadOnlyList<PageWrite> Writes => [.. _writes.Values];

    /// <summary>Adds the current document's writes to <see cref="Writes"/> (a write's answer body arrives a little after its status).</summary>
    public async Task CollectWritesAsync(CancellationToken cancellationToken)
    {
        await HookAsync(cancellationToken);
        var text = await page.EvaluateAsync(PageScripts.Writes, cancellationToken);
        if (text is null || JsonNode.Parse(text) is not JsonObject root)
        {
            return;
        }

        foreach (var entry in root["list"]?.AsArray() ?? [])
        {
            var key = $"{(string?)root["d"]}:{(int?)entry?["i"]}";
            _writes[key] = new PageWrite((string?)entry?["m"] ?? "POST", (string?)entry?["u"] ?? string.Empty, (int?)entry?["s"] ?? 0,
                (string?)entry?["q"], (string?)entry?["l"], (string?)entry?["a"] ?? string.Empty);
        }
    }

    private async Task<string?> DoAsync(BrowserAction action, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var target = action.Target is null ? null : TemplateVariables.Fill(action.Target, variables, json: false);
        var value = action.Value is null ? null : TemplateVariables.Fill(action.Value, variables, json: false);
        try
        {
            return action.Kind switch
            {
                BrowserActionKind.Goto => await GotoAsync(target!, cancellationToken),
                BrowserActionKind.Click or BrowserActionKind.Fill => await ActAsync(action.Kind, target!, value ?? string.Empty, cancellationToken),
                BrowserActionKind.ExpectVisible => await UntilAsync(() => VisibleAsync(target!, cancellationToken), cancellationToken) is { } state and not "visible"
                    ? $"{target} is not visible after {Seconds}: {Describe(state)}" : null,
                BrowserActionKind.ExpectText => await ExpectTextAsync(target, value!, cancellationToken),
                _ => await WaitForResponseAsync(action, target!, cancellationToken),
            };
        }
        catch (BrowserActionException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Keeps a screenshot of the page as it is now (the first failure's); its path relative to the run folder, or null.</summary>
    public async Task<string?> KeepScreenshotAsync(CancellationToken cancellationToken)
    {
        if (Screenshot is not null)
        {
            return Screenshot;
        }

        try
        {
            var bytes = await page.ScreenshotAsync(cancellationToken);
            var relative = Path.Combine(evidenceFolder, screenshotName);
            Directory.CreateDirectory(Path.Combine(outputDirectory, evidenceFolder));
            await File.WriteAllBytesAsync(Path.Combine(outputDirectory, relative), bytes, cancellationToken);
            return Screenshot = relative;
        }
        catch (Exception ex) when (ex is BrowserActionException or IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The page's address now, for evidence.</summary>
    public async Task<string?> UrlAsync(CancellationToken cancellationToken) => await page.EvaluateAsync("location.href", cancellationToken);

    private string Seconds => string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.#} s");

    /// <summary>
    /// How long a <c>goto</c> waits for the page's load event: the step timeout, and at least 30 s, since a fresh
    /// browser's first navigation (its profile, its caches, a cold page) can take more than 10 s on a busy machine.
    /// How fast a page loads is step 8's measure, not a journey's.
    /// </summary>
    public static readonly TimeSpan MinimumNavigationBound = TimeSpan.FromSeconds(30);

    private async Task<string?> GotoAsync(string path, CancellationToken cancellationToken)
    {
        await page.GotoAsync(new Uri(frontendUrl, path), timeout > MinimumNavigationBound ? timeout : MinimumNavigationBound, cancellationToken);
        await HookAsync(cancellationToken);
        return null;
    }

    /// <summary>Clicks or fills the first visible element the selector matches, once there is one.</summary>
    private async Task<string?> ActAsync(BrowserActionKind kind, string selector, string value, CancellationToken cancellationToken)
    {
        var mark = (++_marks).ToString(CultureInfo.InvariantCulture);
        var state = await UntilAsync(() => MarkAsync(selector, mark, cancellationToken), cancellationToken);
        if (state != "visible")
        {
            return $"nothing to {(kind == BrowserActionKind.Click ? "click" : "fill")}: {selector} is not visible after {Seconds}: {Describe(state)}";
        }

        if (kind == BrowserActionKind.Click)
        {
            await page.ClickAsync(PageScripts.Marked(mark), timeout, cancellationToken);
        }
        else
        {
            await page.FillAsync(PageScripts.Marked(mark), value, timeout, cancellationToken);
        }

        await HookAsync(cancellationToken);
        return null;
    }

    private async Task<string?> ExpectTextAsync(string? selector, string text, CancellationToken cancellationToken)
    {
        var seen = await UntilAsync(() => TextAsync(selector, text, cancellationToken), cancellationToken);
        return seen switch
        {
            { Length: 0 } => null,
            null => $"'{text}' not shown after {Seconds}: the page did not answer",
            _ => $"'{text}' not shown{(selector is null ? string.Empty : $" in {selector}")} after {Seconds}; {(seen.StartsWith('"') ? $"it shows {seen}" : seen)}",
        };
    }

    private async Task<string?> WaitForResponseAsync(BrowserAction action, string path, CancellationToken cancellationToken)
    {
        var seen = new List<Seen>();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            seen = await ResponsesAsync(cancellationToken) ?? seen;
            var matching = seen.Where(s => s.Method == action.Method || (s.Method is null && action.Method == "GET")).Where(s => SamePath(s.Url, path)).Where(s => !_consumed.Contains(s.Id)).ToList();
            var wanted = matching.FirstOrDefault(s => action.Status.Count == 0 ? s.Status is >= 200 and < 300 || (s.Status == 0 && s.Method is null) : action.Status.Contains(s.Status));
            if (wanted is not null)
            {
                _consumed.Add(wanted.Id);
                return null;
            }

            if (waited.Elapsed >= timeout)
            {
                var expected = action.Status.Count == 0 ? "2xx" : string.Join(" or ", action.Status);
                return matching.Count > 0
                    ? $"{action.Method} {path} answered {string.Join(", ", matching.Select(m => m.Status == 0 ? "nothing (failed)" : m.Status.ToString(CultureInfo.InvariantCulture)))}, expected {expected}"
                    : $"the page made no {action.Method} {path} call within {Seconds}; its calls: {(seen.Count == 0 ? "none" : string.Join(", ", seen.TakeLast(8).Select(s => $"{s.Method ?? "?"} {PathOf(s.Url)} {s.Status}")))}";
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    private async Task<List<Seen>?> ResponsesAsync(CancellationToken cancellationToken)
    {
        await HookAsync(cancellationToken);
        var text = await page.EvaluateAsync(PageScripts.Responses, cancellationToken);
        if (text is null || JsonNode.Parse(text) is not JsonObject root)
        {
            return null;
        }

        var document = (string?)root["d"] ?? string.Empty;
        var result = new List<Seen>();
        var hooked = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var entry in root["list"]?.AsArray() ?? [])
        {
            var url = (string?)entry?["u"] ?? string.Empty;
            hooked.Add(url);
            result.Add(new Seen($"{document}:h{index++}", (string?)entry?["m"], url, (int?)entry?["s"] ?? 0));
        }

        // Calls made before a late hook (WebKit adds it after the load) are known from resource timing only: no method.
        if (!page.HooksBeforeLoad)
        {
            index = 0;
            foreach (var entry in root["timing"]?.AsArray() ?? [])
            {
                var url = (string?)entry?["u"] ?? string.Empty;
                var id = $"{document}:t{index++}";
                if (!hooked.Contains(url))
                {
                    result.Add(new Seen(id, null, url, (int?)entry?["s"] ?? 0));
                }
            }
        }

        return result;
    }

    private async Task HookAsync(CancellationToken cancellationToken)
    {
        if (!page.HooksBeforeLoad)
        {
            await page.EvaluateAsync(PageScripts.Hook, cancellationToken);
        }
    }

    private async Task<string?> MarkAsync(string selector, string mark, CancellationToken cancellationToken) =>
        await page.EvaluateAsync(PageScripts.MarkVisible(selector, mark), cancellationToken);

    private Task<string?> VisibleAsync(string selector, CancellationToken cancellationToken) => MarkAsync(selector, "expect", cancellationToken);

    private async Task<string?> TextAsync(string? selector, string text, CancellationToken cancellationToken) =>
        await page.EvaluateAsync(PageScripts.HasText(selector, text), cancellationToken);

    /// <summary>Polls <paramref name="probe"/> until it answers <c>visible</c> or empty (done), or the timeout; its last answer.</summary>
    private async Task<string?> UntilAsync(Func<Task<string?>> probe, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            last = await probe() ?? last;
            if (last is "visible" or { Length: 0 } || last?.StartsWith("invalid", StringComparison.Ordinal) == true || waited.Elapsed >= timeout)
            {
                return last;
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    private static string Describe(string? state) => state switch
    {
        "hidden" => "it is there but hidden",
        "none" => "no element matches it",
        null => "the page did not answer",
        _ => state,
    };

    private static bool SamePath(string url, string path) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (path.Contains('?', StringComparison.Ordinal) ? u.PathAndQuery == path : u.AbsolutePath == path);

    private static string PathOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath : url;

    /// <summary>One answer the page got: an id unique in the run, the method (null when only resource timing saw it), URL and status (0: none).</summary>
    private sealed record Seen(string Id, string? Method, string Url, int Status);
}
