namespace Archgate.Protocol;

/// <summary>
/// The one step table: the ten steps of the protocol in order. Built once (Archgate.Checks builds the real one,
/// tests build their own) and handed to the runner, which judges and reports from it.
/// </summary>
public sealed class ProtocolDefinition
{
    /// <summary>Checks the table: exactly steps 1 to <see cref="ProtocolSteps.Count"/>, in order, criterion ids unique.</summary>
    public ProtocolDefinition(IReadOnlyList<StepDefinition> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (!steps.Select(s => s.Number).SequenceEqual(Enumerable.Range(1, ProtocolSteps.Count)))
        {
            throw new ArgumentException($"the step table must list steps 1 to {ProtocolSteps.Count} in order", nameof(steps));
        }

        var ids = steps.Where(s => s.Criterion is not null).Select(s => s.Criterion!.Id).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            throw new ArgumentException("criterion ids must be unique", nameof(steps));
        }

        Steps = steps;
    }

    /// <summary>
    /// Takes and restores the databases' snapshots around the rollback scope (the steps with
    /// <see cref="StepDefinition.RollbackOnFailure"/>); null: the protocol snapshots nothing. <value>null</value>.
    /// </summary>
    public IStateSnapshots? Snapshots { get; init; }

    /// <summary>The steps, index = number - 1.</summary>
    public IReadOnlyList<StepDefinition> Steps { get; }

    /// <summary>Step <paramref name="number"/> (1-10).</summary>
    public StepDefinition Step(int number) => Steps[number - 1];
}
