using System.Globalization;
using Archgate.Launch;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// The automatic triggers that read more than one step's results: the integration's timeline across its runs, and
/// the resources of the components Archgate started and of the run folder's disk.
/// </summary>
public static class RunTriggers
{
    /// <summary>The protocol's budget for one integration, from its first run to sign-off. <value>168 h</value>.</summary>
    public static readonly TimeSpan TimelineBudget = TimeSpan.FromHours(168);

    /// <summary>Level of timeline-overrun: the System-Architect decides on scope or schedule.</summary>
    public const int TimelineLevel = 3;

    /// <summary>Level of resource-exhaustion: the owners of the component.</summary>
    public const int ResourceLevel = 2;

    /// <summary>
    /// Fires when the integration of <paramref name="system"/> (its first run in the store, <paramref name="firstRun"/>)
    /// has lasted longer than <see cref="TimelineBudget"/> until its first approved sign-off, or until now when it has none.
    /// </summary>
    public static Escalation? TimelineOverrun(string system, DateTimeOffset firstRun, DateTimeOffset? signedOff, DateTimeOffset now)
    {
        var end = signedOff ?? now;
        var took = end - firstRun;
        return took <= TimelineBudget
            ? null
            : new Escalation("timeline-overrun", TimelineLevel,
                $"Timeline overrun: the integration of {system} has taken {took.TotalHours.ToString("0", CultureInfo.InvariantCulture)} h " +
                $"{(signedOff is null ? "and is not signed off" : "until its sign-off")} (budget {TimelineBudget.TotalHours.ToString("0", CultureInfo.InvariantCulture)} h)")
            {
                Evidence = [$"first run {firstRun:yyyy-MM-dd HH:mm} UTC", signedOff is { } s ? $"signed off {s:yyyy-MM-dd HH:mm} UTC" : $"not signed off at {now:yyyy-MM-dd HH:mm} UTC"],
            };
    }

    /// <summary>
    /// One escalation per started component whose CPU or memory peak went over <paramref name="limits"/>, and one
    /// when the run folder's filesystem has less free space than the limit.
    /// </summary>
    public static IReadOnlyList<Escalation> ResourceExhaustion(IReadOnlyList<ResourcePeak> peaks, ResourceLimits limits, string folder, long? freeBytes)
    {
        ArgumentNullException.ThrowIfNull(peaks);
        ArgumentNullException.ThrowIfNull(limits);
        var result = new List<Escalation>();
        foreach (var peak in peaks)
        {
            var over = new List<string>();
            if (limits.Cpu is { } cpu && peak.Cpu > cpu)
            {
                over.Add($"CPU {peak.Cpu.ToString("P0", CultureInfo.InvariantCulture)} of the machine (limit {cpu.ToString("P0", CultureInfo.InvariantCulture)})");
            }

            if (limits.Memory is { } memory && peak.Memory > memory)
            {
                over.Add($"memory {Size(peak.Memory)} resident (limit {Size(memory)})");
            }

            if (over.Count > 0)
            {
                result.Add(new Escalation("resource-exhaustion", ResourceLevel, $"Resource exhaustion: {peak.Component} used {string.Join(" and ", over)}")
                {
                    Components = [peak.Component],
                    Evidence = [$"{peak.Component}: peak CPU {peak.Cpu.ToString("P1", CultureInfo.InvariantCulture)}, peak memory {Size(peak.Memory)} over {peak.Samples} samples"],
                });
            }
        }

        if (limits.DiskFree is { } floor && freeBytes is { } free && free < floor)
        {
            result.Add(new Escalation("resource-exhaustion", ResourceLevel, $"Resource exhaustion: {Size(free)} free on the filesystem of {folder} (limit {Size(floor)})")
            {
                Evidence = [$"{folder}: {Size(free)} available"],
            });
        }

        return result;
    }

    /// <summary>Free bytes of the filesystem holding <paramref name="folder"/>; null when it cannot be read.</summary>
    public static long? FreeBytes(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            return new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string Size(long bytes) =>
        bytes >= 1L << 30 ? $"{(bytes / (double)(1L << 30)).ToString("0.#", CultureInfo.InvariantCulture)} GiB"
        : $"{(bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture)} MiB";
}
