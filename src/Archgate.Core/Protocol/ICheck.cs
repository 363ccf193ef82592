using Archgate.Model;

namespace Archgate.Protocol;

/// <summary>Whether a check has anything to do in a system, and if not, why.</summary>
public readonly record struct Applicability(bool Applies, string? Reason)
{
    /// <summary>The check applies.</summary>
    public static Applicability Yes { get; } = new(true, null);

    /// <summary>The check has nothing to do; <paramref name="reason"/> is shown in the report.</summary>
    public static Applicability No(string reason) => new(false, reason);
}

/// <summary>
/// One check of the protocol. Checks know the model and their context, never the CLI. A failed target is a
/// <see cref="CheckResult"/>; an exception thrown here becomes status <c>error</c> and the run goes on.
/// </summary>
public interface ICheck
{
    /// <summary>Stable id, for example <c>database.connect:db</c>.</summary>
    string Id { get; }

    /// <summary>Protocol step 1-10.</summary>
    int Step { get; }

    /// <summary>A short human title.</summary>
    string Title { get; }

    /// <summary>Whether the check has anything to do in this system.</summary>
    Applicability AppliesTo(SystemModel system);

    /// <summary>Runs the check against the running system.</summary>
    Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken);
}

/// <summary>A check that comes in a later version: always skipped, so its criterion stays not-evaluated.</summary>
public sealed class PendingCheck(int step, string id, string title) : ICheck
{
    /// <inheritdoc />
    public string Id => id;

    /// <inheritdoc />
    public int Step => step;

    /// <inheritdoc />
    public string Title => title;

    /// <inheritdoc />
    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    /// <inheritdoc />
    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(CheckResult.NotImplemented());
}
