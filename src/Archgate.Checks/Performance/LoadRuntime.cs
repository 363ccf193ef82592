namespace Archgate.Checks.Performance;

/// <summary>Runtime settings of a process that only generates load.</summary>
public static class LoadRuntime
{
    /// <summary>
    /// The .NET runtime's switch that runs socket continuations inline on the I/O threads; read once, when the first
    /// socket is made, so it is given to a load process when it starts.
    /// </summary>
    public const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
