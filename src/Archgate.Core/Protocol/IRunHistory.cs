namespace Archgate.Protocol;

/// <summary>Past runs, as checks may read them (for example step 8's regression baseline).</summary>
public interface IRunHistory
{
    /// <summary>The most recent completed run of <paramref name="system"/> with <paramref name="verdict"/>, with its steps; null when there is none.</summary>
    RunRecord? LastRun(string system, Verdict verdict);
}
