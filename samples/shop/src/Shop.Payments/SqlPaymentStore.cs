using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Shop.Common;

namespace Shop.Payments;

/// <summary>
/// Payments in a database (SHOP_PAYMENTS_DB), shared by every instance of payments: a SQLite file (WAL; writers of
/// several processes take turns at its lock) or PostgreSQL (its own table <c>payments</c>, so it may live in the shop's
/// database). One payment per order and per idempotency key is kept by unique indexes, so two instances taking the
/// same request at once still create one payment; a change is written only over the version it was computed from.
/// </summary>
internal sealed class SqlPaymentStore : IPaymentStore, IAsyncDisposable
{
    private const string Columns = "id, order_id, amount, currency, status, gateway_charge_id, created_at, updated_at, version";
    private readonly DbDataSource _source;
    private readonly TimeProvider _time;

    private SqlPaymentStore(DbDataSource source, TimeProvider time)
    {
        _source = source;
        _time = time;
    }

    /// <summary>The pool and timeouts in use on PostgreSQL (null on SQLite), reported by the store's health entry.</summary>
    public StoreSettings? Settings { get; private init; }

    public bool IsPostgres => Settings is not null;

    /// <summary>The defaults payments keeps on PostgreSQL, for each key the connection string leaves out.</summary>
    public const int DefaultMaxPoolSize = 5, DefaultConnectTimeoutSeconds = 5, DefaultCommandTimeoutSeconds = 10;

    /// <summary>
    /// The PostgreSQL settings payments uses: what the connection string writes, and for each of these keys it leaves
    /// out, payments' default: a pool of <see cref="DefaultMaxPoolSize"/> (a few short statements per payment; it leaves
    /// the server's connections to the api), connect and command timeouts as the api's, <c>Application Name=shop-payments</c>.
    /// </summary>
    public static NpgsqlConnectionStringBuilder WithDefaults(string connectionString) =>
        PostgresDefaults.Apply(connectionString, DefaultMaxPoolSize, DefaultConnectTimeoutSeconds, DefaultCommandTimeoutSeconds, "shop-payments");

    /// <summary>Opens the store and creates its table when missing.</summary>
    public static async Task<SqlPaymentStore> OpenAsync(string connectionString, TimeProvider time, CancellationToken ct)
    {
        SqlPaymentStore store;
        if (IsPostgresString(connectionString))
        {
            var pg = WithDefaults(connectionString);
            store = new SqlPaymentStore(NpgsqlDataSource.Create(pg.ConnectionString), time)
            {
                Settings = new StoreSettings(pg.MaxPoolSize, pg.Timeout, pg.CommandTimeout),
            };
        }
        else
        {
            var sqlite = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
            var folder = Path.GetDirectoryName(Path.GetFullPath(sqlite.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            store = new SqlPaymentStore(SqliteFactory.Instance.CreateDataSource(sqlite.ConnectionString), time);
        }

        await store.CreateSchemaAsync(ct);
        return store;
    }

    /// <summary>
    /// A connection from the pool. On SQLite it waits inside SQLite for another process's write lock
    /// (<c>busy_timeout</c>, re-polled within milliseconds) instead of failing at once, which Microsoft.Data.Sqlite answers
    /// by sleeping 150 ms before it tries again: with two instances writing one file, that sleep was most of a payment's
    /// time under load. Commits in WAL need no fsync of their own (<c>synchronous=NORMAL</c>): a power cut may lose the
    /// last commits, never the file's integrity, and the gateway's webhook and the resubmission bring such a payment back.
    /// </summary>
    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = await _source.OpenConnectionAsync(ct);
        if (!IsPostgres)
        {
            await using var pragmas = Command(connection, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL");
            await pragmas.ExecuteNonQueryAsync(ct);
        }

        return connection;
    }

    public static bool IsPostgresString(string connectionString)
    {
        var s = connectionString.TrimStart();
        return s.StartsWith("Host=", StringComparison.OrdinalIgnoreCase)
            || s.StartsWith("Server=", StringComparison.OrdinalIgnoreCase)
            || s.Contains(";Host=", StringComparison.OrdinalIgnoreCase);
    }

    private async Task CreateSchemaAsync(CancellationToken ct)
    {
        string[] statements =
        [
            .. IsPostgres ? Array.Empty<string>() : ["PRAGMA journal_mode=WAL"],
            "CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, order_id BIGINT NOT NULL, idempotency_key TEXT NULL, " +
                "amount TEXT NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, gateway_charge_id TEXT NULL, " +
                "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, submitter TEXT NOT NULL)",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_payments_order_id ON payments (order_id)",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_payments_idempotency_key ON payments (idempotency_key)",
            "CREATE INDEX IF NOT EXISTS ix_payments_status ON payments (status)",
        ];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await OpenAsync(ct);
                foreach (var sql in statements)
                {
                    await using var command = Command(connection, sql);
                    await command.ExecuteNonQueryAsync(ct);
                }

                return;
            }
            catch (PostgresException ex) when (attempt < 3 && ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
            {
                // Two instances starting together: PostgreSQL's IF NOT EXISTS is not safe against a concurrent CREATE.
            }
        }
    }

    public async Task<(Payment Payment, bool Created)> GetOrCreateAsync(PaymentRequest request, string? idempotencyKey, string submitter, CancellationToken ct)
    {
        var candidate = Payment.For(request, _time.GetUtcNow());
        await using var connection = await OpenAsync(ct);
        await using (var insert = Command(connection,
            $"INSERT INTO payments ({Columns}, idempotency_key, submitter) VALUES (@id, @order, @amount, @currency, @status, NULL, @created, @created, 1, @key, @submitter) ON CONFLICT DO NOTHING",
            ("id", candidate.Id), ("order", candidate.OrderId), ("amount", Text(candidate.Amount)), ("currency", candidate.Currency),
            ("status", candidate.Status), ("created", Text(candidate.CreatedAt)), ("key", (object?)idempotencyKey ?? DBNull.Value), ("submitter", submitter)))
        {
            if (await insert.ExecuteNonQueryAsync(ct) == 1)
            {
                return (candidate, true);
            }
        }

        // Someone came first: the payment of this key, else of this order.
        var existing = (idempotencyKey is null ? null : await FirstAsync(connection, "idempotency_key = @key", ("key", idempotencyKey), ct))
            ?? await FirstAsync(connection, "order_id = @order", ("order", request.OrderId), ct);
        return (existing ?? throw new InvalidOperationException($"payment of order {request.OrderId} neither inserted nor found"), false);
    }

    public async Task<Payment?> FindAsync(string id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await FirstAsync(connection, "id = @id", ("id", id), ct);
    }

    public async Task<IReadOnlyList<Payment>> WithStatusAsync(string status, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return [.. (await ReadAsync(connection, "status = @status", ("status", status), ct)).Select(r => r.Payment)];
    }

    public async Task<IReadOnlyList<Payment>> ToResubmitAsync(string submitter, DateTimeOffset staleBefore, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection,
            $"SELECT {Columns} FROM payments WHERE status = 'gateway_pending' AND (submitter = @submitter OR updated_at < @stale)",
            ("submitter", submitter), ("stale", Text(staleBefore)));
        return [.. (await ReadAllAsync(command, ct)).Select(r => r.Payment)];
    }

    public async Task<Payment?> UpdateAsync(string id, Func<Payment, Payment> change, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        while (true)
        {
            var rows = await ReadAsync(connection, "id = @id", ("id", id), ct);
            if (rows.Count == 0)
            {
                return null;
            }

            var (current, version) = rows[0];
            var next = change(current) with { UpdatedAt = _time.GetUtcNow() };
            await using var update = Command(connection,
                "UPDATE payments SET status = @status, gateway_charge_id = @charge, updated_at = @updated, version = version + 1 WHERE id = @id AND version = @version",
                ("status", next.Status), ("charge", (object?)next.GatewayChargeId ?? DBNull.Value), ("updated", Text(next.UpdatedAt)), ("id", id), ("version", version));
            if (await update.ExecuteNonQueryAsync(ct) == 1)
            {
                return next;
            }

            // Another writer (the webhook, the other instance) changed it first: apply the change to what it wrote.
        }
    }

    private static async Task<Payment?> FirstAsync(DbConnection connection, string where, (string Name, object Value) parameter, CancellationToken ct) =>
        (await ReadAsync(connection, where, parameter, ct)) is [var first, ..] ? first.Payment : null;

    private static async Task<List<(Payment Payment, long Version)>> ReadAsync(DbConnection connection, string where, (string Name, object Value) parameter, CancellationToken ct)
    {
        await using var command = Command(connection, $"SELECT {Columns} FROM payments WHERE {where}", parameter);
        return await ReadAllAsync(command, ct);
    }

    private static async Task<List<(Payment Payment, long Version)>> ReadAllAsync(DbCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new List<(Payment, long)>();
        while (await reader.ReadAsync(ct))
        {
            result.Add((new Payment(
                reader.GetString(0), reader.GetInt64(1), decimal.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetString(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture), DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture)),
                Convert.ToInt64(reader.GetValue(8), CultureInfo.InvariantCulture)));
        }

        return result;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // the SQL is built from constants; values go as parameters
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }

        return command;
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

/// <summary>The pool maximum and the connect and command timeouts (seconds) of the payments store on PostgreSQL.</summary>
internal sealed record StoreSettings(int PoolSize, int ConnectTimeoutSeconds, int CommandTimeoutSeconds);
