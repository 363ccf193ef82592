using System.Globalization;

namespace Archgate.Checks.Browser;

/// <summary>
/// An Xvfb on a display number of its own, for a browser that needs a display when <c>DISPLAY</c> is unset. An X server
/// holds a display with <c>/tmp/.X{n}-lock</c> (its pid inside) and the socket <c>/tmp/.X11-unix/X{n}</c>; a server
/// killed outright leaves both behind. A display whose lock names no live process is free (Xvfb removes such a stale
/// lock itself), and stopping this one removes what it left, so runs that stop their browsers by force do not use up
/// the display numbers (seen: 310 stale locks from a day of WebKit runs, and then "Xvfb could not take a display").
/// </summary>
internal sealed class XvfbDisplay : IAsyncDisposable
{
    private const int First = 90;
    private const int Last = 400;

    private readonly BrowserProcess _process;
    private readonly int _number;

    private XvfbDisplay(BrowserProcess process, int number) => (_process, _number) = (process, number);

    /// <summary>The display, as <c>DISPLAY</c> names it (<c>:123</c>).</summary>
    public string Display => $":{_number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Xvfb on the first free display number from a random one at 90 or above; tried again on the next when another takes it first.</summary>
    public static async Task<XvfbDisplay> StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var xvfbPath = Prerequisites.Prerequisites.Xvfb.Locate()
            ?? throw new FileNotFoundException($"no DISPLAY and Xvfb not found; {Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.Xvfb)}");
        var last = string.Empty;
        for (var number = First + Random.Shared.Next(50); number < Last; number++)
        {
            if (Taken(number))
            {
                continue;
            }

            var xvfb = BrowserProcess.Start(xvfbPath, [$":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!xvfb.HasExited && waited.Elapsed < timeout)
            {
                // Xvfb writes its pid into the lock file once the display is its own.
                if (LockPid(number) == xvfb.Pid)
                {
                    await Task.Delay(200, cancellationToken);
                    if (!xvfb.HasExited)
                    {
                        return new XvfbDisplay(xvfb, number);
                    }
                }

                await Task.Delay(50, cancellationToken);
            }

            last = xvfb.Tail;
            await new XvfbDisplay(xvfb, number).DisposeAsync();
        }

        throw new BrowserActionException($"Xvfb could not take a display: {last}");
    }

    /// <summary>
    /// Whether another X server holds display <paramref name="number"/>: its lock names a live process (or cannot be
    /// read), or, without a lock, its socket exists.
    /// </summary>
    internal static bool Taken(int number, string root = "/tmp")
    {
        if (File.Exists(LockFile(number, root)))
        {
            return LockPid(number, root) is not { } pid || Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        return File.Exists(Socket(number, root));
    }

    /// <summary>Stops Xvfb (by force when it does not stop at once) and removes the lock and socket it leaves when killed.</summary>
    public async ValueTask DisposeAsync()
    {
        var pid = _process.Pid;
        await _process.DisposeAsync();
        if (LockPid(_number) == pid)
        {
            TryDelete(LockFile(_number, "/tmp"));
            TryDelete(Socket(_number, "/tmp"));
        }
    }

    private static string LockFile(int number, string root) => Path.Combine(root, $".X{number.ToString(CultureInfo.InvariantCulture)}-lock");

    private static string Socket(int number, string root) => Path.Combine(root, ".X11-unix", $"X{number.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The pid a display's lock file holds, or null when there is none or it cannot be read.</summary>
    private static int? LockPid(int number, string root = "/tmp")
    {
        try
        {
            return int.TryParse(File.ReadAllText(LockFile(number, root)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // another user's, or gone meanwhile
        }
    }
}
