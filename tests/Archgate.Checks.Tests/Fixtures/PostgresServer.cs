using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A throwaway PostgreSQL cluster made with the system's own initdb and pg_ctl, listening on 127.0.0.1 on a
/// free port with password (SCRAM) authentication, removed on dispose. Its settings are stock (max_connections
/// 100 and the rest) but for pg_stat_statements preloaded (step 3's statement statistics) and fsync off (speed). As root (CI), the server runs as the
/// 'postgres' user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The collection every PostgreSQL test class joins, so one cluster serves them all.</summary>
    public const string Collection = "postgres";

    public const string Password = "archgate-test-pw";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"archgate-pg-{Guid.NewGuid():N}");

    public int Port { get; private set; }

    public string ConnectionString(string database = "postgres", string user = "postgres", string password = Password) =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username={user};Password={password};Timeout=5";

    /// <summary>Creates a fresh database (a unique name from <paramref name="prefix"/>), runs <paramref name="script"/> in it, returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, string script = "", bool statements = false)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)].ToLowerInvariant();
        await ExecuteAsync(ConnectionString(), $"create database {name}");
        var connection = ConnectionString(name);
        if (statements)
        {
            await ExecuteAsync(connection, "create extension if not exists pg_stat_statements");
        }

        if (script.Length > 0)
        {
            await ExecuteAsync(connection, script);
        }

        return connection;
    }

    /// <summary>Runs SQL on a connection of its own (no pooling, so nothing lingers in pg_stat_activity).</summary>
    public static async Task ExecuteAsync(string connection, string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connection + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of <paramref name="sql"/> on the server's own database, as text.</summary>
    public async Task<string?> ScalarAsync(string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (await cmd.ExecuteScalarAsync())?.ToString();
    }

    /// <summary>A cluster of its own, started now, for a test that needs one outside the collection (dispose it).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        await server.InitializeAsync();
        return server;
    }

    /// <summary>A connection string that names only host, port, user, password and database: every driver setting at its default.</summary>
    public string PlainConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database=postgres";

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task InitializeAsync()
    {
        var bin = FindBinaries();
        Directory.CreateDirectory(_root);
        var data = Path.Combine(_root, "data");
        var pwfile = Path.Combine(_root, "pw");
        await File.WriteAllTextAsync(pwfile, Password);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }

        Port = FreePort.Next();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth-host=scram-sha-256", "--auth-local=trust", $"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"]);
        var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c fsync=off";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "300", "start"]);
    }

    public async Task DisposeAsync()
    {
        var bin = FindBinaries();
        try
        {
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql; './build.sh test' installs the postgresql package");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args)
    {
        var start = IsRoot && file != "chown"
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", file } }
            : new ProcessStartInfo(file);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }
}

/// <summary>One throwaway cluster for every test class in the collection.</summary>
[CollectionDefinition(PostgresServer.Collection)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
}
