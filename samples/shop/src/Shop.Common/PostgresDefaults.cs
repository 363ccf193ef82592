using System.Data.Common;
using Npgsql;

namespace Shop.Common;

/// <summary>The PostgreSQL settings a shop service fills in when its connection string leaves them out.</summary>
public static class PostgresDefaults
{
    /// <summary>
    /// What <paramref name="connectionString"/> writes, and for each of the pool maximum, the connect and command
    /// timeouts and the application name that it leaves out, the service's own value instead of Npgsql's default.
    /// </summary>
    public static NpgsqlConnectionStringBuilder Apply(string connectionString, int maxPoolSize, int connectTimeoutSeconds, int commandTimeoutSeconds, string applicationName)
    {
        var pg = new NpgsqlConnectionStringBuilder(connectionString);
        // Npgsql's builder answers ContainsKey for every keyword it knows: only the raw text tells what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant())
            .ToHashSet();
        if (!written.Overlaps(["MAXIMUMPOOLSIZE", "MAXPOOLSIZE"]))
        {
            pg.MaxPoolSize = maxPoolSize;
        }

        if (!written.Overlaps(["TIMEOUT", "CONNECTTIMEOUT"]))
        {
            pg.Timeout = connectTimeoutSeconds;
        }

        if (!written.Overlaps(["COMMANDTIMEOUT"]))
        {
            pg.CommandTimeout = commandTimeoutSeconds;
        }

        if (!written.Overlaps(["APPLICATIONNAME"]))
        {
            pg.ApplicationName = applicationName;
        }

        return pg;
    }
}
