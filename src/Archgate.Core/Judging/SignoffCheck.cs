using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Step 10's check: compiles the criteria of steps 1-9 (<see cref="CheckContext.Criteria"/>) and the run's records
/// into the sign-off's state (<see cref="SignoffJudge"/>). It lives in Core, not in Archgate.Checks, because it
/// probes nothing: it judges, from the store. Passes once the approver signed off; until then it is skipped as
/// awaiting, and the run waits for people.
/// </summary>
public sealed class SignoffCheck : ICheck
{
    /// <inheritdoc />
    public string Id => "signoff";

    /// <inheritdoc />
    public int Step => 10;

    /// <inheritdoc />
    public string Title => "Reviews and sign-off by the required roles";

    /// <inheritdoc />
    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    /// <inheritdoc />
    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Time.GetUtcNow();
        var records = context.History?.Signoffs(context.RunId) ?? [];
        var waivers = Waivers.Statuses(context.History?.SystemSignoffs(context.System.Name) ?? [], now,
            context.Criteria.Where(c => c.Status == CriterionStatus.Waived).SelectMany(c => c.WaivedRules ?? []).ToHashSet(StringComparer.Ordinal));
        return Task.FromResult(SignoffJudge.Assess(context.Criteria, context.System.Signoff, records, waivers).Result);
    }
}
