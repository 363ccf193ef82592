using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>Each test gets its own working folder (so its own .archgate store), port and database file.</summary>
public abstract class CliTestBase : IDisposable
{
    protected CliTestBase()
    {
        Folder = Directory.CreateTempSubdirectory("archgate-e2e-").FullName;
        Port = ArchgateProcess.FreePort();
        Database = Path.Combine(Folder, "minimal.db");
        Environment = new Dictionary<string, string>
        {
            ["MINIMAL_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MINIMAL_DB"] = Database,
        };
    }

    protected string Folder { get; }

    protected int Port { get; }

    protected string Database { get; }

    protected Dictionary<string, string> Environment { get; }

    protected string Store => Path.Combine(Folder, ".archgate", "archgate.db");

    protected Task<ProcessResult> ArchgateAsync(params string[] args) => ArchgateProcess.RunAsync(Folder, Environment, args);

    protected ArchgateProcess StartArchgate(params string[] args) => ArchgateProcess.Start(Folder, Environment, args);

    /// <summary>A database file with the sample's table, as the service would create it.</summary>
    protected void CreateDatabase()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "create table if not exists items (id integer primary key, name text not null)";
        cmd.ExecuteNonQuery();
    }

    /// <summary>The shop sample's folder.</summary>
    protected static string ShopFolder => ShopManifest.ShopDirectory;

    /// <summary>
    /// The shop manifest copied into this test's folder with free ports, absolute paths and a light load
    /// (<see cref="ShopManifest"/>), and the shop's database in the test's folder.
    /// </summary>
    protected (string Manifest, int ApiPort) ShopManifestOnFreePorts()
    {
        var manifest = ShopManifest.Write(Folder, out var apiPort);
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        return (manifest, apiPort);
    }

    protected static string RunIdFrom(string stdout)
    {
        var marker = "run ";
        foreach (var line in stdout.Split('\n'))
        {
            if (line.StartsWith(marker, StringComparison.Ordinal) && line.Contains(" started", StringComparison.Ordinal))
            {
                return line[marker.Length..line.IndexOf(' ', marker.Length)];
            }
        }

        throw new InvalidOperationException($"no run id in: {stdout}");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
