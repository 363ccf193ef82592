using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Archgate.Launch;

/// <summary>
/// Stops a process and every descendant: SIGTERM to the whole tree (collected before anything exits, so no
/// child is orphaned), a grace period, then SIGKILL to whatever is left.
/// </summary>
public static partial class ProcessTree
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>The process and all its descendants (Linux: read from /proc).</summary>
    public static IReadOnlyList<int> Collect(int root)
    {
        var children = new Dictionary<int, List<int>>();
        if (Directory.Exists("/proc"))
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                var ppid = ParentOf(pid);
                if (ppid > 0)
                {
                    (children.TryGetValue(ppid, out var list) ? list : children[ppid] = []).Add(pid);
                }
            }
        }

        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            result.Add(pid);
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                queue.Enqueue(child);
            }
        }

        return result;
    }

    /// <summary>True when the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>
    /// When the process started, in clock ticks since boot (<c>/proc/PID/stat</c> field 22): with the PID it names
    /// one process for good, so a PID recycled by another process is never mistaken for it. Null when it is gone.
    /// </summary>
    public static long? StartTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is alive and is the process that started at <paramref name="startTicks"/> (0: not recorded, PID only).</summary>
    public static bool IsSameProcess(int pid, long startTicks) =>
        IsAlive(pid) && (startTicks == 0 || StartTicks(pid) == startTicks);

    private static int GroupOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[2], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>Stops the tree of <paramref name="root"/>; returns the PIDs that were signalled.</summary>
    public static async Task<IReadOnlyList<int>> StopAsync(int root, TimeSpan grace)
    {
        var tree = Collect(root);

        // A component started in its own process group (the launcher's setsid) is signalled as a group too, which
        // also reaches a grandchild that daemonised away from the tree.
        var group = GroupOf(root) == root;
        if (group)
        {
            _ = Kill(-root, SigTerm);
        }

        foreach (var pid in tree)
        {
            _ = Kill(pid, SigTerm);
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < grace && tree.Any(IsAlive))
        {
            await Task.Delay(50);
        }

        // Collect again: a child may have forked while shutting down.
        if (group)
        {
            _ = Kill(-root, SigKill);
        }

        foreach (var pid in tree.Concat(Collect(root)).Distinct().Where(IsAlive))
        {
            _ = Kill(pid, SigKill);
        }

        return tree;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
