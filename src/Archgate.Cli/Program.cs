using Archgate.Checks.Performance;
using Archgate.Cli;

// A pure load process ('archgate load', 'archgate agent') runs socket continuations inline on the I/O threads
// instead of queuing them to the thread pool: the generator shares the CPU with the target, and this roughly
// halves its cost per request. The runtime reads the setting once, when the first socket is made, so it is set
// here, at process start, for those two commands only; a value the user set is kept. No command changes the
// environment of the process while it runs.
if (args.Length > 0 && args[0] is "load" or "agent" && Environment.GetEnvironmentVariable(LoadRuntime.InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(LoadRuntime.InlineCompletions, "1");
}

return await ArchgateApp.RunAsync(args);
