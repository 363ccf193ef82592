using System.Diagnostics;
using System.Text;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Launch;

/// <summary>
/// The protocol's rollback hooks: when a step in the rollback scope of the step table fails (5-10: frontend,
/// third-party, journeys, performance, security, sign-off), the manifest's <c>recovery.rollback</c> commands run in
/// order, each in the manifest's folder with a time limit, and their outcome is recorded in the run.
/// </summary>
public static class Rollback
{
    /// <summary>How long one rollback command may take before its process tree is stopped. <value>2 min</value>.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Lines of output kept per command.</summary>
    public const int OutputLines = 20;

    /// <summary>Runs every rollback command of <paramref name="system"/>, in order, whatever the previous one did.</summary>
    public static async Task<IReadOnlyList<RollbackResult>> RunAsync(SystemModel system, CancellationToken cancellationToken)
    {
        var results = new List<RollbackResult>();
        foreach (var command in system.Recovery.Rollback)
        {
            results.Add(await RunOneAsync(command, system.BaseDirectory, cancellationToken));
        }

        return results;
    }

    private static async Task<RollbackResult> RunOneAsync(string command, string directory, CancellationToken cancellationToken)
    {
        var shown = Redact.Text(command);
        var words = CommandLine.Split(command);
        var watch = Stopwatch.StartNew();
        if (words.Count == 0)
        {
            return new RollbackResult(shown, null, 0, string.Empty, "empty command");
        }

        var start = new ProcessStartInfo(words[0])
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var word in words.Skip(1))
        {
            start.ArgumentList.Add(word);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new RollbackResult(shown, null, watch.ElapsedMilliseconds, string.Empty, $"cannot start '{words[0]}': {ex.Message}");
        }

        using (process)
        {
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => Append(output, e.Data);
            process.ErrorDataReceived += (_, e) => Append(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                process.WaitForExit();
                return new RollbackResult(shown, process.ExitCode, watch.ElapsedMilliseconds, Tail(output), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await ProcessTree.StopAsync(process.Id, TimeSpan.FromSeconds(2));
                return new RollbackResult(shown, null, watch.ElapsedMilliseconds, Tail(output), $"timed out after {CommandTimeout.TotalSeconds:0} s");
            }
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Tail(StringBuilder output)
    {
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Redact.Text(string.Join("\n", lines.Skip(Math.Max(0, lines.Length - OutputLines)).Select(l => l.TrimEnd('\r'))));
    }
}
