using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Step 6 per third party with a <c>webhook</c>: Archgate sends the provider's callback to the receiver itself, signed
/// with the manifest's secret as the provider signs it, and proves that the genuine callback is accepted while one with
/// a wrong signature, one without a signature and (for timestamped schemes) a correctly signed one from ten minutes
/// ago (a replay) are each refused. The secret never appears in a result (it is one of the manifest's declared secrets).
/// </summary>
internal sealed class WebhookCheck(ThirdPartyComponent provider) : ICheck
{
    /// <summary>How old the replayed callback's timestamp is: beyond the usual 5-minute tolerance. <value>10 min</value>.</summary>
    public static readonly TimeSpan ReplayAge = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private WebhookSpec Hook => provider.Webhook!;

    public string Id => $"third-party.webhook:{provider.Name}";

    public int Step => 6;

    public string Title => $"{provider.Name}'s webhooks to {Hook.Receiver}: signed ones accepted, forged, unsigned and replayed ones refused";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var receiver = context.System.Find<HttpComponent>(Hook.Receiver)!;
        var url = new Uri(receiver.Url, Hook.Path);
        var now = context.Time.GetUtcNow();
        var body = Hook.Event ?? $"{{\"id\":\"evt_archgate_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}\",\"type\":\"archgate.ping\",\"created\":{now.ToUnixTimeSeconds()}}}";
        var forged = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var cases = new List<(string Name, string? Signature, bool Accept, string Rule)>
        {
            ("genuine (signed now)", Sign(Hook.Secret, now, body), true, ThirdPartyRules.WebhookRefused),
            ("wrong signature", Sign(forged, now, body), false, ThirdPartyRules.WebhookBadSignature),
            ("no signature", null, false, ThirdPartyRules.WebhookUnsigned),
        };
        if (Hook.Scheme == "stripe")
        {
            cases.Add(($"replay (signed {ReplayAge.TotalMinutes:0} min ago)", Sign(Hook.Secret, now - ReplayAge, body), false, ThirdPartyRules.WebhookReplay));
        }

        var lines = new StringBuilder();
        var findings = new List<Finding>();
        foreach (var (name, signature, accept, rule) in cases)
        {
            var status = await SendAsync(context.Http, url, body, signature, cancellationToken);
            lines.Append(CultureInfo.InvariantCulture, $"{name}: POST {Hook.Path} with {(signature is null ? "no " + Hook.Header : Hook.Header)} → {(status is { } s ? s.ToString(CultureInfo.InvariantCulture) : "no answer")}").AppendLine();
            var accepted = status is >= 200 and < 300;
            if (accept && !accepted)
            {
                findings.Add(Finding(rule, Severity.High, $"{Hook.Receiver} refused {provider.Name}'s genuine callback ({status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"}): its events are lost",
                    "check the receiver's secret and signature scheme against the provider's; the event body may need to be one it handles (webhook.event)"));
            }
            else if (!accept && accepted)
            {
                findings.Add(Finding(rule, Severity.Critical, $"{Hook.Receiver} accepted a callback with {name} ({status}): anyone can forge {provider.Name}'s events",
                    $"verify {Hook.Header} (HMAC-SHA256 with the webhook secret, constant-time compare){(Hook.Scheme == "stripe" ? " and refuse timestamps older than 5 minutes" : string.Empty)} before acting on an event"));
            }
        }

        var evidence = lines.ToString();
        findings = [.. findings.Select(f => f with { Evidence = evidence })];
        if (findings.Count == 0)
        {
            findings.Add(Finding(ThirdPartyRules.WebhookVerified, Severity.Info,
                $"{Hook.Receiver} accepted {provider.Name}'s signed callback and refused {cases.Count - 1} forged, unsigned or replayed one(s)", "nothing to do") with { Evidence = evidence });
        }

        return CheckResult.From(findings);
    }

    /// <summary>The signature header's value for <paramref name="body"/> at <paramref name="at"/> under the hook's scheme.</summary>
    internal string Sign(string secret, DateTimeOffset at, string body)
    {
        if (Hook.Scheme == "github")
        {
            return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
        }

        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")))}";
    }

    private async Task<int?> SendAsync(HttpClient http, Uri url, string body, string? signature, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation(Hook.Header, signature);
            }

            using var response = await http.SendAsync(request, timeout.Token);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private Finding Finding(string rule, Severity severity, string message, string hint) => new()
    {
        Rule = rule,
        Severity = severity,
        Component = Hook.Receiver,
        Location = Hook.Location is { } l ? $"{l} components.{provider.Name}.webhook" : $"components.{provider.Name}.webhook",
        Message = message,
        Hint = hint,
    };
}
