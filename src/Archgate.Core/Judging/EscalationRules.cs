using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Evaluates the escalation triggers of the step table over a run's results. A trigger reads only its own step's
/// result; a step that did not run raises nothing.
/// </summary>
public static class EscalationRules
{
    /// <summary>Evaluates every trigger of every step that ran.</summary>
    public static IReadOnlyList<Escalation> Evaluate(ProtocolDefinition protocol, SystemModel system, IReadOnlyList<StepResult> steps) =>
        (from step in steps
         from trigger in protocol.Step(step.Number).Escalations
         from hit in trigger.Evaluate(system, step)
         select new Escalation(trigger.Id, trigger.Level, hit.Message) { Components = hit.Components, Evidence = hit.Evidence }).ToList();
}
