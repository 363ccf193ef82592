namespace Archgate;

/// <summary>Process exit codes of the <c>archgate</c> command; CI pipelines read them.</summary>
public static class ExitCodes
{
    /// <summary>The verdict is GO (or the command succeeded).</summary>
    public const int Go = 0;

    /// <summary>The command line was wrong (unknown option, missing argument).</summary>
    public const int Usage = 1;

    /// <summary>The manifest could not be loaded or is invalid.</summary>
    public const int InvalidManifest = 2;

    /// <summary>Archgate could not reach or start what the manifest names.</summary>
    public const int Infrastructure = 3;

    /// <summary>The verdict is NO-GO (or a gate such as <c>diff --fail-on</c> tripped).</summary>
    public const int NoGo = 4;

    /// <summary>The verdict is INCOMPLETE: some criteria were not evaluated.</summary>
    public const int Incomplete = 5;

    /// <summary>
    /// Every criterion but the sign-off passed (GO pending sign-off): the best a run can end with before people sign it
    /// off. Its own code, so a pipeline that accepts it does not accept a run whose checks were not evaluated (5).
    /// </summary>
    public const int AwaitingSignoff = 6;

    /// <summary>The run was cancelled (Ctrl+C, SIGTERM).</summary>
    public const int Cancelled = 130;
}
