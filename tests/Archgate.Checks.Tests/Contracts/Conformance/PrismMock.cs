using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Tests;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// Stoplight Prism (npm <c>@stoplight/prism-cli</c>) in static mode: a mock server that answers exactly what its
/// document allows and refuses invalid requests (with a documented 4xx, else 422). Installed once into a cache
/// folder, as the Pact reference verifier is; one process per document, on a free port of 127.0.0.1.
/// </summary>
internal sealed class PrismMock : IAsyncDisposable
{
    /// <summary>The npm package.</summary>
    public const string Package = "@stoplight/prism-cli";

    /// <summary>The pinned version.</summary>
    public const string Version = "5.16.0";

    private static readonly NpmTool Tool = new(Package, Version, "prism-cli", "prism");

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PrismMock(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>What Prism printed (its request log), for a failed assertion.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Prism's path, installing it with npm when missing; null with the reason when npm or its registry is not there.</summary>
    public static Task<(string? Path, string? SkipReason)> EnsureInstalledAsync() => Tool.EnsureInstalledAsync();

    /// <summary>Starts <c>prism mock</c> for <paramref name="document"/> and waits until it accepts connections.</summary>
    public static async Task<PrismMock> StartAsync(string executable, string document)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "mock", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), document })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start prism");
        var mock = new PrismMock(process, port);
        process.OutputDataReceived += (_, e) => mock.Append(e.Data);
        process.ErrorDataReceived += (_, e) => mock.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return mock;
            }
            catch (SocketException)
            {
                await Task.Delay(250);
            }
        }

        await mock.DisposeAsync();
        throw new InvalidOperationException($"prism did not listen on {port} within 90 s:\n{mock.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
