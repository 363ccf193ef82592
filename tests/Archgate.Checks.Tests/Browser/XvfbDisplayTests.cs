using Archgate.Checks.Browser;

namespace Archgate.Checks.Tests.Browser;

/// <summary>
/// Which display numbers are free for Xvfb: a machine that had run WebKit journeys all day held 310 locks of killed
/// Xvfbs, every number from 90 to 399, and WebKit could no longer start ("Xvfb could not take a display").
/// </summary>
public sealed class XvfbDisplayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("archgate-x11-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Lock(int number, string content) => File.WriteAllText(Path.Combine(_root, $".X{number}-lock"), content);

    private void Socket(int number)
    {
        Directory.CreateDirectory(Path.Combine(_root, ".X11-unix"));
        File.WriteAllText(Path.Combine(_root, ".X11-unix", $"X{number}"), "");
    }

    [Fact]
    public void A_lock_of_a_live_server_holds_its_display_and_a_lock_of_a_dead_one_does_not()
    {
        Lock(101, $"      {Environment.ProcessId}\n");
        Lock(102, "2147483646\n"); // no such process: killed long ago
        Socket(102);
        Lock(103, "not a pid");
        Socket(104); // a socket without a lock: someone's server, leave it

        Assert.True(XvfbDisplay.Taken(101, _root));
        Assert.False(XvfbDisplay.Taken(102, _root));
        Assert.True(XvfbDisplay.Taken(103, _root));
        Assert.True(XvfbDisplay.Taken(104, _root));
        Assert.False(XvfbDisplay.Taken(105, _root));
    }
}
