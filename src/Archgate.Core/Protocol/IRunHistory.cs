namespace Archgate.Protocol;

/// <summary>Past runs, as checks may read them (for example step 8's regression baseline, step 10's sign-offs and waivers).</summary>
public interface IRunHistory
{
    /// <summary>The most recent completed run of <paramref name="system"/> with <paramref name="verdict"/>, with its steps; null when there is none.</summary>
    RunRecord? LastRun(string system, Verdict verdict);

    /// <summary>The reviews and sign-offs of a run, in chain order.</summary>
    IReadOnlyList<SignoffRecord> Signoffs(string runId);

    /// <summary>The reviews and sign-offs of every run of a system (any manifest hash), oldest first: where waivers come from.</summary>
    IReadOnlyList<SignoffRecord> SystemSignoffs(string system);
}
