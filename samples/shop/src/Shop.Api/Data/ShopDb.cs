using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shop.Common;

namespace Shop.Api.Data;

/// <summary>The database engines the shop runs on.</summary>
internal enum DbEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The shop's database: SQLite by default, PostgreSQL when <c>SHOP_DB</c> is a PostgreSQL connection string.
/// Connections are leased through a gate as large as the pool, so that pool exhaustion looks the same on
/// both engines: a caller waits at most <see cref="PoolTimeout"/> and then gets a 503.
/// On SQLite, writes take turns in the process (one writer at a time, waiting asynchronously): SQLite allows one
/// writer, and a second one that finds the file locked is retried by Microsoft.Data.Sqlite every 150 ms on a
/// blocked thread, which under load turns a 5 ms write into 150-450 ms. Connections run with
/// <c>synchronous=NORMAL</c>, SQLite's advice for WAL (durable across a process crash, not a power cut).
/// </summary>
internal sealed class ShopDb : IDisposable
{
    private readonly SemaphoreSlim _gate;
    private readonly SemaphoreSlim? _writer;

    private ShopDb(DbEngine engine, string connectionString, int poolSize, TimeSpan poolTimeout)
    {
        Engine = engine;
        ConnectionString = connectionString;
        PoolSize = poolSize;
        PoolTimeout = poolTimeout;
        _gate = new SemaphoreSlim(poolSize, poolSize);
        _writer = engine == DbEngine.Sqlite ? new SemaphoreSlim(1, 1) : null;
    }

    public DbEngine Engine { get; }

    public string ConnectionString { get; }

    public int PoolSize { get; }

    public TimeSpan PoolTimeout { get; }

    public int InUse => PoolSize - _gate.CurrentCount;

    /// <summary>
    /// Maximum pool size when the connection string sets none. <value>20</value>: one instance against a default
    /// server (<c>max_connections</c> 100) keeps within 80 % even with three more instances or a migration job beside it.
    /// </summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>Connect timeout when the connection string sets none. <value>5 s</value>.</summary>
    public const int DefaultConnectTimeoutSeconds = 5;

    /// <summary>Command timeout when the connection string sets none. <value>10 s</value>: no request waits longer on a query.</summary>
    public const int DefaultCommandTimeoutSeconds = 10;

    /// <summary>The connect timeout in use (reported by /health/ready); null on SQLite.</summary>
    public TimeSpan? ConnectTimeout { get; private init; }

    /// <summary>The command timeout in use (reported by /health/ready); null on SQLite.</summary>
    public TimeSpan? CommandTimeout { get; private init; }

    /// <summary>With <c>pool-exhaustion</c> each listing holds its connection this long.</summary>
    public TimeSpan LongTransaction { get; private init; }

    public static ShopDb Create(string? setting, FaultSwitches faults)
    {
        var exhausted = faults.IsOn(FaultSwitches.PoolExhaustion);
        var value = string.IsNullOrWhiteSpace(setting) ? "Data Source=.archgate/shop.db" : setting.Trim();
        if (IsPostgres(value))
        {
            var pg = WithDefaults(value, faults);
            if (exhausted)
            {
                pg.MaxPoolSize = 2;
            }

            // A lease waits for a free connection as long as a connect may take; pool-exhaustion waits 1 s.
            var wait = TimeSpan.FromSeconds(exhausted ? 1 : pg.Timeout);
            return new ShopDb(DbEngine.Postgres, pg.ConnectionString, pg.MaxPoolSize, wait)
            {
                LongTransaction = exhausted ? TimeSpan.FromMilliseconds(1500) : TimeSpan.Zero,
                ConnectTimeout = TimeSpan.FromSeconds(pg.Timeout),
                CommandTimeout = TimeSpan.FromSeconds(pg.CommandTimeout),
            };
        }

        var sqlite = new SqliteConnectionStringBuilder(value) { ForeignKeys = true, Pooling = true };
        if (sqlite.DefaultTimeout == 30)
        {
            sqlite.DefaultTimeout = 5;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(sqlite.DataSource));
        if (!string.IsNullOrEmpty(folder) && sqlite.Mode != SqliteOpenMode.Memory)
        {
            Directory.CreateDirectory(folder);
        }

        return exhausted
            ? new ShopDb(DbEngine.Sqlite, sqlite.ConnectionString, 2, TimeSpan.FromSeconds(1)) { LongTransaction = TimeSpan.FromMilliseconds(1500) }
            : new ShopDb(DbEngine.Sqlite, sqlite.ConnectionString, 32, TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// The PostgreSQL settings the api uses: what the connection string writes, and for each of these keys it
    /// leaves out, the shop's default (<see cref="DefaultMaxPoolSize"/>, <see cref="DefaultConnectTimeoutSeconds"/>,
    /// <see cref="DefaultCommandTimeoutSeconds"/>, <c>Application Name=shop-api</c>). Under <c>default-pool</c> the
    /// driver's own defaults stay.
    /// </summary>
    public static NpgsqlConnectionStringBuilder WithDefaults(string connectionString, FaultSwitches faults) =>
        faults.IsOn(FaultSwitches.DefaultPool)
            ? new NpgsqlConnectionStringBuilder(connectionString)
            : PostgresDefaults.Apply(connectionString, DefaultMaxPoolSize, DefaultConnectTimeoutSeconds, DefaultCommandTimeoutSeconds, "shop-api");

    /// <summary>PostgreSQL connection strings name a host; SQLite ones a data source.</summary>
    public static bool IsPostgres(string connectionString)
    {
        var s = connectionString.TrimStart();
        return s.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("Server=", StringComparison.OrdinalIgnoreCase)
            || s.Contains(";Host=", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Leases an open connection; throws <see cref="ServiceUnavailableException"/> when the pool stays full.</summary>
    public async Task<DbLease> OpenAsync(CancellationToken ct)
    {
        if (!await _gate.WaitAsync(PoolTimeout, ct))
        {
            throw new ServiceUnavailableException(
                $"No database connection became free within {PoolTimeout.TotalSeconds:0.#} s (pool of {PoolSize}).");
        }

        DbLease lease;
        DbConnection? connection = null;
        try
        {
            connection = Engine == DbEngine.Postgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
            await connection.OpenAsync(ct);
            lease = new DbLease(connection, _gate, _writer, PoolTimeout);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            _gate.Release();
            throw;
        }

        if (Engine == DbEngine.Sqlite)
        {
            try
            {
                await lease.ExecuteAsync("PRAGMA synchronous=NORMAL", [], ct, write: false);
            }
            catch
            {
                await lease.DisposeAsync();
                throw;
            }
        }

        return lease;
    }

    /// <summary>The column type of an auto-numbered primary key / a point in time on this engine.</summary>
    public string Expand(string script) => Engine == DbEngine.Postgres
        ? script.Replace("{{id}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", StringComparison.Ordinal)
            .Replace("{{timestamp}}", "TIMESTAMPTZ", StringComparison.Ordinal)
        : script.Replace("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal)
            .Replace("{{timestamp}}", "TEXT", StringComparison.Ordinal);

    public void Dispose()
    {
        _gate.Dispose();
        _writer?.Dispose();
    }
}

/// <summary>
/// One leased connection with small helpers for parameterized commands. With a <paramref name="writer"/> (SQLite), a
/// transaction, and a write outside one, hold the writer's turn until they end.
/// </summary>
internal sealed class DbLease(DbConnection connection, SemaphoreSlim gate, SemaphoreSlim? writer, TimeSpan writerWait) : IAsyncDisposable
{
    private DbTransaction? _transaction;
    private bool _writing;

    public DbConnection Connection => connection;

    public async Task BeginAsync(CancellationToken ct)
    {
        await TakeWriterAsync(ct);
        try
        {
            _transaction = await connection.BeginTransactionAsync(ct);
        }
        catch
        {
            ReleaseWriter();
            throw;
        }
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_transaction is not null)
        {
            try
            {
                await _transaction.CommitAsync(ct);
                await _transaction.DisposeAsync();
                _transaction = null;
            }
            finally
            {
                ReleaseWriter();
            }
        }
    }

    private async Task TakeWriterAsync(CancellationToken ct)
    {
        if (writer is null || _writing)
        {
            return;
        }

        if (!await writer.WaitAsync(writerWait, ct))
        {
            throw new ServiceUnavailableException($"No turn to write came within {writerWait.TotalSeconds:0.#} s.");
        }

        _writing = true;
    }

    private void ReleaseWriter()
    {
        if (_writing)
        {
            _writing = false;
            writer!.Release();
        }
    }

    public DbCommand Command(string sql, IReadOnlyList<(string Name, object? Value)> args)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Every caller passes constant SQL text; values go through parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = _transaction;
        foreach (var (name, value) in args)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>Runs a statement; outside a transaction, a <paramref name="write"/> takes the writer's turn for its length.</summary>
    public async Task<int> ExecuteAsync(string sql, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct, bool write = true)
    {
        var turn = write && _transaction is null && !_writing;
        if (turn)
        {
            await TakeWriterAsync(ct);
        }

        try
        {
            await using var command = Command(sql, args);
            return await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            if (turn)
            {
                ReleaseWriter();
            }
        }
    }

    public async Task<T?> ScalarAsync<T>(string sql, IReadOnlyList<(string Name, object? Value)> args, CancellationToken ct)
    {
        await using var command = Command(sql, args);
        var value = await command.ExecuteScalarAsync(ct);
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> QueryAsync<T>(
        string sql, IReadOnlyList<(string Name, object? Value)> args, Func<DbDataReader, T> map, CancellationToken ct)
    {
        await using var command = Command(sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_transaction is not null)
            {
                await _transaction.DisposeAsync(); // Not committed: rolls back.
            }

            await connection.DisposeAsync();
        }
        finally
        {
            ReleaseWriter();
            gate.Release();
        }
    }
}
