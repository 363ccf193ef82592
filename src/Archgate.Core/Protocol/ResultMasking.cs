namespace Archgate.Protocol;

/// <summary>
/// The last line of defence before a result is stored, reported or shown: URL user-info and secret query values
/// (<c>?api_key=</c>, <c>?token=</c>, ...) that a check copied from a declared URL or a target's answer are masked,
/// and so is every secret the manifest declares (identities' passwords, keys and tokens), wherever it appears.
/// </summary>
internal static class ResultMasking
{
    public static CheckResult Mask(CheckResult result, IReadOnlyCollection<string>? secrets = null)
    {
        // Longest first, so a secret that contains another is masked whole; very short values would garble text.
        var known = (secrets ?? []).Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
        string Clean(string text)
        {
            text = Redact.Url(text);
            foreach (var secret in known)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }

            return text;
        }

        return result with
        {
            Reason = result.Reason is null ? null : Clean(result.Reason),
            TransientCause = result.TransientCause is null ? null : Clean(result.TransientCause),
            Findings = result.Findings.Select(f => f with
            {
                Location = f.Location is null ? null : Clean(f.Location),
                Message = Clean(f.Message),
                Evidence = f.Evidence is null ? null : Clean(f.Evidence),
                Hint = f.Hint is null ? null : Clean(f.Hint),
            }).ToList(),
        };
    }
}
