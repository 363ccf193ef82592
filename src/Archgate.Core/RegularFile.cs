using System.Runtime.InteropServices;

namespace Archgate;

/// <summary>
/// Reads a file the user named (manifest, OpenAPI document, pact) safely: only a regular file, checked
/// before it is opened (a FIFO would block the open, <c>/dev/zero</c> would never end), and no larger
/// than a cap.
/// </summary>
public static partial class RegularFile
{
    /// <summary>Why <paramref name="path"/> cannot be read, or null when it is a regular file within <paramref name="maxBytes"/>.</summary>
    public static string? Problem(string path, long maxBytes)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "the path contains a NUL character";
        }

        if (OperatingSystem.IsLinux())
        {
            if (Statx(AtFdCwd, path, 0, StatxType | StatxSize, out var st) != 0)
            {
                return Marshal.GetLastPInvokeError() == ENoEnt ? "file not found" : "cannot be read";
            }

            if ((st.Mode & SIfMt) != SIfReg)
            {
                return $"not a regular file ({Describe(st.Mode & SIfMt)})";
            }

            return st.Size > (ulong)maxBytes ? TooLarge(maxBytes) : null;
        }

        var info = new FileInfo(path);
        if (Directory.Exists(path))
        {
            return "not a regular file (a directory)";
        }

        return !info.Exists ? "file not found" : info.Length > maxBytes ? TooLarge(maxBytes) : null;
    }

    /// <summary>The file's bytes, or null with <paramref name="problem"/> saying why not.</summary>
    public static byte[]? Read(string path, long maxBytes, out string? problem)
    {
        problem = Problem(path, maxBytes);
        if (problem is not null)
        {
            return null;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            // The size was checked, but the file may grow (or be swapped) after: never read past the cap.
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    problem = TooLarge(maxBytes);
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex is UnauthorizedAccessException ? "permission denied" : "cannot be read";
            return null;
        }
    }

    /// <summary>The file as UTF-8 text, or null with <paramref name="problem"/> saying why not.</summary>
    public static string? ReadText(string path, long maxBytes, out string? problem)
    {
        var bytes = Read(path, maxBytes, out problem);
        return bytes is null ? null : new System.Text.UTF8Encoding(false).GetString(bytes).TrimStart('\uFEFF');
    }

    private static string TooLarge(long maxBytes) => $"larger than {maxBytes / (1024 * 1024)} MB, the limit for this file";

    private static string Describe(uint type) => type switch
    {
        SIfDir => "a directory",
        SIfChr => "a character device",
        SIfBlk => "a block device",
        SIfIfo => "a FIFO",
        SIfSock => "a socket",
        _ => "a special file",
    };

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ENoEnt = 2;
    private const uint SIfMt = 0xF000;
    private const uint SIfReg = 0x8000;
    private const uint SIfDir = 0x4000;
    private const uint SIfChr = 0x2000;
    private const uint SIfBlk = 0x6000;
    private const uint SIfIfo = 0x1000;
    private const uint SIfSock = 0xC000;

    /// <summary>The start of Linux's <c>struct statx</c>, which has one layout on every architecture (256 bytes in all).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort ModeBits;
        public ushort Spare;
        public ulong Inode;
        public ulong Size;

        public readonly uint Mode => ModeBits;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);
}
