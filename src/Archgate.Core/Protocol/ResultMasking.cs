namespace Archgate.Protocol;

/// <summary>
/// The last line of defence before a result is stored, reported or shown: URL user-info and secret query values
/// (<c>?api_key=</c>, <c>?token=</c>, ...) that a check copied from a declared URL or a target's answer are masked.
/// </summary>
internal static class ResultMasking
{
    public static CheckResult Mask(CheckResult result) => result with
    {
        Reason = result.Reason is null ? null : Redact.Url(result.Reason),
        TransientCause = result.TransientCause is null ? null : Redact.Url(result.TransientCause),
        Findings = result.Findings.Select(f => f with
        {
            Location = f.Location is null ? null : Redact.Url(f.Location),
            Message = Redact.Url(f.Message),
            Evidence = f.Evidence is null ? null : Redact.Url(f.Evidence),
            Hint = f.Hint is null ? null : Redact.Url(f.Hint),
        }).ToList(),
    };
}
