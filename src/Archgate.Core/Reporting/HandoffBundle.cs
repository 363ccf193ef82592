using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>
/// The handoff to QA: one <c>.tar.gz</c> with everything the run's folder holds (the reports, run.json, SARIF,
/// JUnit, the plan, evidence files) and <c>SHA256SUMS</c>, a checksum per file as <c>sha256sum -c</c> reads it.
/// </summary>
public static class HandoffBundle
{
    /// <summary>The checksum list's name inside the archive.</summary>
    public const string ChecksumFile = "SHA256SUMS";

    /// <summary>Writes the bundle of <paramref name="run"/> from <paramref name="runDirectory"/> to <paramref name="archive"/>; returns the files it holds.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(RunRecord run, string runDirectory, string archive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var root = Path.GetFullPath(runDirectory);
        var target = Path.GetFullPath(archive);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !string.Equals(Path.GetFullPath(f), target, StringComparison.Ordinal) && !f.EndsWith(".tmp", StringComparison.Ordinal)
                && !Path.GetFileName(f).StartsWith("handoff-", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var sums = new StringBuilder();
        var prefix = $"archgate-{run.RunId}";
        var temp = target + ".tmp";
        await using (var file = File.Create(temp))
        await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach (var name in files)
            {
                var path = Path.Combine(root, name);
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
                sums.Append(Convert.ToHexStringLower(SHA256.HashData(bytes))).Append("  ").Append(name).Append('\n');
                await tar.WriteEntryAsync(Entry($"{prefix}/{name}", bytes), cancellationToken);
            }

            await tar.WriteEntryAsync(Entry($"{prefix}/{ChecksumFile}", Encoding.UTF8.GetBytes(sums.ToString())), cancellationToken);
        }

        File.Move(temp, target, overwrite: true);
        return [.. files, ChecksumFile];
    }

    private static PaxTarEntry Entry(string name, byte[] bytes) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
}
