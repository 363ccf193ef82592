using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Checks.Http;
using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// One live conformance run against one service: authenticate, test every operation in dependency order
/// (creators first, deletes last), probe undeclared methods, and measure. It only measures: findings carry
/// severities, the mismatch rate is a metric; criteria and escalation rules judge.
/// </summary>
internal sealed partial class ConformanceSession(HttpComponent component, OpenApiDocument document, CheckContext context, ConformanceOptions options)
{
    private static readonly string[] ProbeMethods = ["PATCH", "PUT", "POST", "DELETE"];

    private readonly Uri _baseUrl = ContractBase.Of(component.Url, document);
    private readonly string _prefix = ContractBase.Prefix(component.Url, document);
    private readonly List<Finding> _findings = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private Credentials _credentials = Credentials.None;
    private ProbeRequest? _login;
    private Uri? _loginUrl;
    private BodyValidator _validator = null!;
    private int _requests;
    private int _mismatches;
    private string? _transient;
    private bool _timedOut;
    private bool _answered;
    private bool _cleaning;
    private int _timeouts;
    private long _started;

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        _started = context.Time.GetTimestamp();
        _validator = BodyValidator.ForResponses(document);
        var templates = (document.Paths?.Keys ?? Enumerable.Empty<string>()).ToList();
        // A create whose body names another resource (an order's holdId) goes after that resource's create, its delete before.
        var operations = BodyReferences.InCreateOrder(OperationInfo.All(document), templates, BodyReferences.Example);
        var book = new ResourceBook(
            templates,
            component.OpenApi?.Fixtures ?? new Dictionary<string, IReadOnlyDictionary<string, string>>());

        context.Activity?.Report($"authenticating to {component.Name}");
        var logins = TokenSource.Of(context).Logins;
        (_credentials, _login, _loginUrl) = await Authenticator.AuthenticateAsync(component.Auth, component.Url, document, context, options.RequestTimeout, cancellationToken);
        _requests += TokenSource.Of(context).Logins - logins;

        if (!_credentials.Ok)
        {
            if (_credentials.TransientCause is { } cause && cause.Contains("connection", StringComparison.Ordinal))
            {
                return Unreachable(cause);
            }

            Add(ConformanceRules.AuthenticationFailed, Severity.High, component.Auth?.ToString() ?? "auth", _credentials.Problem!, _login);
        }
        else if (component.Auth is null && operations.Any(o => o.Secured))
        {
            Add(ConformanceRules.NotTested, Severity.Info, "auth",
                $"{operations.Count(o => o.Secured)} operations need authentication and the manifest declares no auth for {component.Name}: only their answers without credentials were checked", null);
        }

        int tested = 0, failed = 0, skipped = 0;
        var untested = new List<string>();
        string? spent = null;
        foreach (var operation in operations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (spent is not null)
            {
                untested.Add(operation.Name);
                continue;
            }

            if (operation.Secured && component.Auth is not null && !_credentials.Ok)
            {
                skipped++;
                continue;
            }

            if (operation.IsUpgrade)
            {
                skipped++;
                Add(ConformanceRules.NotTested, Severity.Info, operation.Name,
                    $"{operation.Name} was not tested: it switches protocols (101, a WebSocket), which a plain request cannot test; declare it under the service's realtime endpoints (websocket:) for step 5 to connect to it", null);
                continue;
            }

            var plan = RequestPlanner.Plan(operation, book, options.MaxRequestsPerOperation);
            if (plan.SkipReason is not null || plan.Requests.Count == 0)
            {
                skipped++;
                Add(ConformanceRules.NotTested, Severity.Info, operation.Name, $"{operation.Name} was not tested: {plan.SkipReason ?? "no request could be built"}", null);
                continue;
            }

            if (_requests + plan.Requests.Count > options.MaxRequests)
            {
                spent = $"the request budget of {options.MaxRequests} per service is spent";
                untested.Add(operation.Name);
                continue;
            }

            if (!_answered && _timeouts >= 2)
            {
                spent = $"{component.Name} answered none of its first {_timeouts} requests within {Seconds(options.RequestTimeout)}";
                untested.Add(operation.Name);
                continue;
            }

            if (context.Time.GetElapsedTime(_started) >= options.Budget)
            {
                spent = $"the time budget of {Seconds(options.Budget)} is spent";
                untested.Add(operation.Name);
                continue;
            }

            context.Activity?.Report($"{operation.Name} ({plan.Requests.Count} requests)");
            var before = _mismatches;
            var sent = 0;
            foreach (var planned in plan.Requests)
            {
                // A service that does not answer costs one timeout per operation, not one per request.
                if (_timedOut || context.Time.GetElapsedTime(_started) >= options.Budget)
                {
                    break;
                }

                // A request planned before an earlier one of the same operation changed the resource uses its new ETag.
                var request = Refresh(planned, book);
                sent++;
                var exchange = await SendAsync(operation.Secured, request, cancellationToken);
                if (exchange is { Status: 409 } && Unique(request, operation) is { } fresh)
                {
                    // A conflict with what exists (a title or an e-mail kept unique, taken by an earlier request or run)
                    // says nothing of the input this request tests: it goes again once with its free text made unique.
                    request = fresh;
                    exchange = await SendAsync(operation.Secured, request, cancellationToken);
                }

                if (exchange is null)
                {
                    continue;
                }

                foreach (var mismatch in ResponseChecker.Check(operation, request, exchange, _validator))
                {
                    AddMismatch(operation.Name, request, exchange.Status, mismatch);
                }

                book.Record(request, exchange.Status, exchange.Headers, Json(exchange));
            }

            if (component.Auth is LoginAuth { Logout: { } logout } login && login.SignsInAt(component.Name) && logout.Is(operation.Method, _prefix + operation.Template) && _credentials.Ok)
            {
                // The identity's own logout ended the session every check shares: sign in again, for the operations
                // still to come and for the checks after this one (the undeclared methods would all answer 401).
                var tokens = TokenSource.Of(context);
                tokens.Forget(login, component.Url);
                var again = tokens.Logins;
                (_credentials, _, _) = await Authenticator.AuthenticateAsync(component.Auth, component.Url, document, context, options.RequestTimeout, cancellationToken);
                _requests += tokens.Logins - again;
            }

            _timedOut = false;
            tested++;
            failed += _mismatches > before ? 1 : 0;
            var left = plan.Requests.Skip(sent).Where(r => r.Kind == ProbeKind.Invalid).Select(r => r.Purpose["invalid: ".Length..]).Concat(plan.NotProbed).ToList();
            if (left.Count > 0)
            {
                var why = sent < plan.Requests.Count ? "the operation stopped early (no answer, or the time budget)" : $"at most {options.MaxRequestsPerOperation} requests per operation";
                Add(ConformanceRules.NotTested, Severity.Info, operation.Name,
                    $"{operation.Name}: {left.Count} invalid {(left.Count == 1 ? "input was" : "inputs were")} not probed ({why}): {List(left)}", null);
            }

            if (plan.NoWrongType.Count > 0)
            {
                Add(ConformanceRules.NotTested, Severity.Info, operation.Name,
                    $"{operation.Name}: no value of a wrong type was sent for {List([.. plan.NoWrongType])}: {(plan.NoWrongType.Count == 1 ? "its schema allows" : "their schemas allow")} every JSON type (no 'type', or all of them); give {(plan.NoWrongType.Count == 1 ? "it" : "each")} a 'type' for the check to probe it", null);
            }
        }

        if (spent is not null)
        {
            skipped += untested.Count;
            Add(ConformanceRules.NotTested, Severity.Info, "budget",
                $"{spent}; {untested.Count} {(untested.Count == 1 ? "operation was" : "operations were")} not tested: {List(untested)}", null);
        }

        await ProbeUnsupportedMethodsAsync(operations, book, cancellationToken);
        await CleanUpAsync(operations, book, cancellationToken);
        var transient = _transient ?? (_timeouts > 0 && !_answered ? "timeout" : null);
        if (transient is not null && _requests > 0 && tested == 0)
        {
            return Unreachable(transient);
        }

        var rate = tested == 0 ? 0 : (double)failed / tested;
        var metrics = new List<Metric>
        {
            Metric.ForComponent(ContractRules.MismatchRateMetric, component.Name, Math.Round(rate, 4), "ratio"),
            Metric.ForComponent("contract_operations_tested", component.Name, tested, "count"),
            Metric.ForComponent("contract_operations_failed", component.Name, failed, "count"),
            Metric.ForComponent("contract_operations_skipped", component.Name, skipped, "count"),
            Metric.ForComponent("contract_requests_sent", component.Name, _requests, "count"),
            Metric.ForComponent("contract_mismatches", component.Name, _mismatches, "count"),
        };
        if (tested == 0)
        {
            return CheckResult.Skipped($"no operation of {component.Name} could be tested ({skipped} skipped; see the findings)") with
            {
                Findings = _findings,
                Metrics = metrics,
            };
        }

        return CheckResult.From(_findings, metrics) with { TransientCause = transient };
    }

    /// <summary>Each path gets one method it does not declare (never DELETE on what the run did not create); it must be 405 (or 501 for a method no path declares).</summary>
    private async Task ProbeUnsupportedMethodsAsync(IReadOnlyList<OperationInfo> operations, ResourceBook book, CancellationToken cancellationToken)
    {
        foreach (var group in operations.GroupBy(o => o.Template))
        {
            var declared = group.Select(o => o.Method).ToHashSet(StringComparer.Ordinal);
            var method = ProbeMethods.FirstOrDefault(m => !declared.Contains(m));
            var request = method is null ? null : RequestPlanner.UnsupportedMethod(group.Key, method, book, group.ToList()) with
            {
                MethodDeclaredElsewhere = operations.Any(o => o.Method == method),
            };
            if (request is null || (method == "DELETE" && !book.IsCreated(request.Path)) || _requests >= options.MaxRequests
                || context.Time.GetElapsedTime(_started) >= options.Budget || (!_answered && _timeouts >= 2))
            {
                continue;
            }

            var secured = group.Any(o => o.Secured);
            if (secured && component.Auth is not null && !_credentials.Ok)
            {
                continue; // without the credentials the answer would be 401, which proves nothing about routing
            }

            var exchange = await SendAsync(secured, request, cancellationToken);
            if (exchange is not null)
            {
                foreach (var mismatch in ResponseChecker.Check(null, request, exchange, _validator))
                {
                    AddMismatch($"{method} {group.Key}", request, exchange.Status, mismatch);
                }
            }
        }
    }

    /// <summary>
    /// Deletes, best effort, every object the run's own POSTs created and no DELETE of the run removed yet (deepest
    /// first), where the contract has a DELETE on the item (else a release action: a booking cancelled): left behind, an object that keeps a field combination
    /// unique would make the later checks' creates of the same example answer 409. A refused delete is no mismatch,
    /// only an info finding saying what was left.
    /// </summary>
    private async Task CleanUpAsync(IReadOnlyList<OperationInfo> operations, ResourceBook book, CancellationToken cancellationToken)
    {
        var refused = new List<string>();
        _cleaning = true;
        try
        {
            foreach (var (template, path) in book.Leftovers)
            {
                // No DELETE on the item: its release action (a booking cancelled) frees what it holds.
                if (ProbeRequest.Undo(operations, template, path, book, "clean up what the run created") is not { } undo
                    || (undo.Operation.Secured && component.Auth is not null && !_credentials.Ok) || (!_answered && _timeouts >= 2))
                {
                    continue;
                }

                var exchange = await SendAsync(undo.Operation.Secured, undo.Request, cancellationToken);
                if (exchange is { Status: (>= 200 and <= 299) or 404 or 410 })
                {
                    book.Deleted(path);
                }
                else
                {
                    refused.Add($"{path} ({(exchange is null ? "no answer" : exchange.Status.ToString(CultureInfo.InvariantCulture))})");
                }
            }
        }
        finally
        {
            _cleaning = false;
        }

        if (refused.Count > 0)
        {
            Add(ConformanceRules.NotTested, Severity.Info, "cleanup",
                $"{refused.Count} {(refused.Count == 1 ? "object" : "objects")} the run created could not be deleted afterwards and {(refused.Count == 1 ? "was" : "were")} left behind: {List(refused)}", null);
        }
    }

    /// <summary>The request with the free-text strings of its JSON body made unique, or null when none could change.</summary>
    private static ProbeRequest? Unique(ProbeRequest request, OperationInfo operation) =>
        request.Body is { } body && request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) != false
            && Frontend.ContractResource.Unique(body, operation) is { } unique
            ? request with { Body = unique }
            : null;

    private static ProbeRequest Refresh(ProbeRequest request, ResourceBook book) =>
        book.ETag(request.Path) is { } etag && request.Headers.Any(h => h.Key.Equals("If-Match", StringComparison.OrdinalIgnoreCase))
            ? request.WithHeader(request.Headers.First(h => h.Key.Equals("If-Match", StringComparison.OrdinalIgnoreCase)).Key, etag)
            : request;

    private static string Seconds(TimeSpan span) => span.TotalSeconds < 120
        ? $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
        : $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min";

    private static string List(List<string> items, int max = 12) =>
        string.Join(", ", items.Take(max)) + (items.Count > max ? $" and {items.Count - max} more" : "");

    private async Task<Exchange?> SendAsync(bool secured, ProbeRequest probe, CancellationToken cancellationToken)
    {
        _requests++;
        var sent = secured ? _credentials.On(probe) : probe;
        using var message = new HttpRequestMessage(new HttpMethod(sent.Method), sent.Url(_baseUrl));
        Credentials.SetHeaders(message, sent.Headers, sent.Cookies);

        var request = probe;

        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType ?? "application/json");
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await context.Http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var status = (int)response.StatusCode;
            _answered = true;
            var media = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name] = string.Join(", ", values);
            }

            // An event stream never ends by itself: its status and headers are checked, its body is not read.
            string? body = null;
            if (media != "text/event-stream")
            {
                body = await ReadAsync(response.Content, limit.Token);
                if (body is null)
                {
                    AddMismatch(request.Operation, request, status, new Mismatch(ConformanceRules.BodyMismatch, Severity.Medium,
                        $"the body is longer than {options.MaxBodyBytes} bytes and was not validated"));
                    return null;
                }
            }

            if (status is 503 or 429)
            {
                _transient ??= $"HTTP {status}";
            }

            return new Exchange(status, media, headers, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            if (failure.Cause == "timeout")
            {
                // A timeout is that operation's finding. It makes the check worth a retry only when the service
                // answered nothing at all (TransientCause below): one slow operation among answering ones (ex12's
                // event stream that sent no headers) is no reason to repeat every other operation's verdict.
                _timedOut = true;
                _timeouts++;
            }
            else if (failure.Transient)
            {
                _transient ??= failure.Cause;
            }

            AddMismatch(request.Operation, request, 0, new Mismatch(ConformanceRules.NoResponse, Severity.High,
                $"no answer: {failure.Cause}" + (failure.Cause == "timeout" ? $" after {options.RequestTimeout.TotalSeconds:0} s" : "")));
            return null;
        }
    }

    private async Task<string?> ReadAsync(HttpContent content, CancellationToken cancellationToken) =>
        await ProbeHttp.ReadBodyAsync(content, options.MaxBodyBytes, cancellationToken) is { Over: false } body ? body.Text : null;

    private void AddMismatch(string operation, ProbeRequest request, int status, Mismatch mismatch)
    {
        if (_cleaning)
        {
            return; // a failed cleanup never fails the check; CleanUpAsync reports it
        }

        if (ConformanceRules.Mismatches.Contains(mismatch.Rule))
        {
            _mismatches++;
        }

        var statusText = status == 0 ? "no answer" : status.ToString(CultureInfo.InvariantCulture);
        // One finding per rule, operation, status and place (array indices folded), so a list of 50 drifted
        // orders is one finding; rejected-input findings differ by what was made invalid.
        var what = request.Kind == ProbeKind.Invalid && mismatch.Rule is ConformanceRules.InvalidInputAccepted or ConformanceRules.ServerError ? request.Purpose : "";
        var key = $"{mismatch.Rule} {operation} {statusText} {Indices().Replace(mismatch.Path ?? "", "[*]")} {mismatch.Expected} {what}";
        if (!_seen.Add(key) || _findings.Count(f => f.Location?.StartsWith(operation + " ", StringComparison.Ordinal) == true) >= options.MaxFindingsPerOperation)
        {
            return;
        }

        var location = mismatch.Path is null ? $"{operation} {statusText}" : $"{operation} {statusText} {mismatch.Path}";
        var message = $"{operation} answered {statusText}: {mismatch.Message}";
        var evidence = new StringBuilder();
        if (mismatch.Expected is not null || mismatch.Actual is not null)
        {
            evidence.Append("expected: ").Append(Mask(mismatch.Path, mismatch.Expected)).Append("; actual: ").Append(Mask(mismatch.Path, mismatch.Actual)).Append("; ");
        }

        evidence.Append("request (").Append(request.Purpose).Append("): ").Append(Curl(request, mismatch.Rule != ConformanceRules.AuthenticationFailed));
        _findings.Add(Findings.Create(mismatch.Rule, mismatch.Severity,
            component: component.Name,
            location: RedactSecrets(location),
            message: RedactSecrets(message),
            evidence: RedactSecrets(evidence.ToString()),
            hint: ConformanceRules.Hint(mismatch.Rule)));
    }

    private void Add(string rule, Severity severity, string location, string message, ProbeRequest? request)
    {
        _findings.Add(Findings.Create(rule, severity,
            component: component.Name,
            location: RedactSecrets(location),
            message: RedactSecrets(message),
            evidence: request is null ? null : RedactSecrets("request: " + Curl(request, false, ReferenceEquals(request, _login) ? _loginUrl : _baseUrl)),
            hint: ConformanceRules.Hint(rule)));
    }

    /// <summary>The request as a curl command; against the contract's base, or the component's url for the manifest's login.</summary>
    private string Curl(ProbeRequest request, bool withAuth, Uri? baseUrl = null)
    {
        var secured = withAuth && OperationSecured(request);
        var full = secured ? _credentials.On(request) : request;
        var secretHeaders = component.Auth is ApiKeyAuth { In: ApiKeyLocation.Header } key ? new[] { key.Header } : [];
        return CurlCommand.Render(full, baseUrl ?? _baseUrl, _credentials.Secrets, secretHeaders);
    }

    private bool OperationSecured(ProbeRequest request) =>
        _credentials.Any && OperationInfo.All(document).Any(o => o.Template == request.Template && o.Secured);

    /// <summary>An actual value at a secret-looking path (<c>$.accessToken</c>) is never shown.</summary>
    private static string? Mask(string? path, string? value)
    {
        var last = path?.Split('.', '[').LastOrDefault() ?? "";
        return value is not null && CurlCommand.IsSecretName(last) && value.StartsWith("string", StringComparison.Ordinal) ? $"string {Redact.Mask}" : value;
    }

    private string RedactSecrets(string text)
    {
        foreach (var secret in _credentials.Secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Redact.Mask, StringComparison.Ordinal);
        }

        return Redact.Text(text);
    }

    private CheckResult Unreachable(string cause) => new()
    {
        Status = CheckStatus.Fail,
        TransientCause = cause,
        Findings =
        [
            Findings.Create(ConformanceRules.NoResponse, Severity.High,
                component: component.Name,
                location: _baseUrl.ToString(),
                message: $"{component.Name} is not reachable for conformance checks: {cause}",
                hint: "is the service running at this URL? 'archgate run --up' starts the components that have a 'run' section"),
        ],
    };

    private static JsonElement? Json(Exchange exchange)
    {
        if (exchange.Body is null || exchange.MediaType is null || !exchange.MediaType.Contains("json", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(exchange.Body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Indices();
}
