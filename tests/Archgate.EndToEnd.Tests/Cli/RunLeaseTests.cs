namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>A run is executed by one process at a time: a second 'resume' is refused while the first lives.</summary>
public sealed class RunLeaseTests : CliTestBase
{
    [Fact]
    public async Task Resume_is_refused_while_the_run_executes_and_accepted_once_its_process_was_killed()
    {
        CreateDatabase();

        // The service is down: step 2 retries with backoff, so the run stays busy.
        using var first = StartArchgate("run", WriteMinimalManifest());
        await first.WaitForOutputAsync("retrying in", TimeSpan.FromMinutes(4));
        var runId = RunIdFrom(first.Stdout);

        var refused = await ArchgateAsync("resume", runId);

        Assert.True(refused.ExitCode == 1, refused.All);
        Assert.Contains($"run {runId} is being executed by PID {first.Pid} on {System.Environment.MachineName} since ", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("resumed", refused.Stdout, StringComparison.Ordinal);

        first.Signal(9);
        await first.WaitAsync(TimeSpan.FromMinutes(1));

        // The lease is still fresh, but its owner is dead on this host: taken over at once.
        using var second = StartArchgate("resume", runId);
        await second.WaitForOutputAsync($"run {runId} resumed (1) after step ", TimeSpan.FromMinutes(4));
        second.Signal(9);
        await second.WaitAsync(TimeSpan.FromMinutes(1));
    }
}
