using System.Globalization;

namespace Archgate.Protocol;

/// <summary>
/// The last line of defence before a result is stored, reported or shown: URL user-info and secret query values
/// (<c>?api_key=</c>, <c>?token=</c>, ...) that a check copied from a declared URL or a target's answer are masked,
/// and so is every secret the manifest declares (identities' passwords, keys and tokens), wherever it appears.
/// Evidence is capped at <see cref="MaxEvidence"/> characters and messages at <see cref="MaxMessage"/>, the cut said
/// in place: a check that quotes a whole body cannot bloat run.json or the reports.
/// </summary>
internal static class ResultMasking
{
    /// <summary>Characters of evidence kept per finding. <value>32,768</value>.</summary>
    public const int MaxEvidence = 32 * 1024;

    /// <summary>Characters kept of a finding's message, location or hint, or a result's reason. <value>4,096</value>.</summary>
    public const int MaxMessage = 4 * 1024;

    public static CheckResult Mask(CheckResult result, IReadOnlyCollection<string>? secrets = null)
    {
        // Longest first, so a secret that contains another is masked whole; very short values would garble text.
        var known = (secrets ?? []).Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
        string Clean(string text, int max = MaxMessage)
        {
            text = Redact.Url(text);
            foreach (var secret in known)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }

            return Cap(text, max);
        }

        return result with
        {
            Reason = result.Reason is null ? null : Clean(result.Reason),
            TransientCause = result.TransientCause is null ? null : Clean(result.TransientCause),
            Findings = result.Findings.Select(f => f with
            {
                Location = f.Location is null ? null : Clean(f.Location),
                Message = Clean(f.Message),
                Evidence = f.Evidence is null ? null : Clean(f.Evidence, MaxEvidence),
                Hint = f.Hint is null ? null : Clean(f.Hint),
            }).ToList(),
        };
    }

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters (never inside a surrogate pair), saying how much was left out.</summary>
    public static string Cap(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return string.Concat(text.AsSpan(0, cut), $" … ({(text.Length - cut).ToString("N0", CultureInfo.InvariantCulture)} more characters not kept)");
    }
}
