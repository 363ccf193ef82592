using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A throwaway RabbitMQ node from Debian's rabbitmq-server, started by the shop's own script
/// (samples/shop/broker/rabbitmq.sh) on free loopback ports, with its own node name, port mapper, cookie, data and
/// logs in a temp folder that is removed on dispose. One node serves every test of the collection; startup is bounded.
/// When the package is not installed, <see cref="Missing"/> says so and the tests skip with that reason.
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    /// <summary>The collection every broker test class joins, so one node serves them all.</summary>
    public const string Collection = "rabbitmq";

    public const string User = "shop";

    public const string Password = "archgate-test-amqp-pw";

    /// <summary>
    /// How long a node may take to accept AMQP connections: a fresh node takes 7-9 s idle, 30 s beside a build, and
    /// over 120 s once in a CI run with 30 runnable threads on 2 cores (ci6: its first log line came 100 s after start).
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(300);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"archgate-rabbitmq-{Guid.NewGuid():N}");
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>Why there is no node (the package is not installed), or null.</summary>
    public string? Missing { get; private set; }

    /// <summary>The AMQP URI of the node's one user, or with another password.</summary>
    public string Uri(string password = Password) => $"amqp://{User}:{password}@127.0.0.1:{Port}/";

    public Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new Uri(Uri()), ClientProvidedName = "archgate-tests" }.CreateConnectionAsync();

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            Missing = "rabbitmq-server is not installed ('./build.sh test' or 'archgate doctor --tests --install' installs the Debian package)";
            return;
        }

        Port = FreePort.Next();
        var script = Path.Combine(RepositoryRoot(), "samples", "shop", "broker", "rabbitmq.sh");
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            Environment =
            {
                ["SHOP_AMQP_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SHOP_BROKER_EPMD_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SHOP_BROKER_DIST_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["SHOP_BROKER_DIR"] = _root,
                ["SHOP_AMQP_USER"] = User,
                ["SHOP_AMQP_PASSWORD"] = Password,
            },
        };
        _process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        _process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited ({_process.ExitCode}): {log}");
            }

            try
            {
                await using var connection = await ConnectAsync();
                return;
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException)
            {
                await Task.Delay(250);
            }
        }

        await DisposeAsync();
        throw new TimeoutException($"rabbitmq-server did not accept AMQP connections within {StartTimeout.TotalSeconds:0} s: {log}");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archgate.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Archgate.slnx) not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One node for every test class in the collection.</summary>
[CollectionDefinition(RabbitMqServer.Collection)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqServer>
{
}
