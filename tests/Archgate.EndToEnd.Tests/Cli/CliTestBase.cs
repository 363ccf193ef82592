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
    protected static string ShopFolder => Path.Combine(ArchgateProcess.RepositoryRoot, "samples", "shop");

    /// <summary>
    /// The shop manifest copied into this test's folder with its four ports moved to free ones and its
    /// relative paths made absolute, so the test runs beside anything else on the machine.
    /// </summary>
    protected (string Manifest, int ApiPort) ShopManifestOnFreePorts()
    {
        var text = File.ReadAllText(Path.Combine(ShopFolder, "archgate.yaml"))
            .Replace("workdir: .", $"workdir: {ShopFolder}", StringComparison.Ordinal)
            .Replace("contracts/", $"{ShopFolder}/contracts/", StringComparison.Ordinal)
            .Replace("folder: src/", $"folder: {ShopFolder}/src/", StringComparison.Ordinal);
        var apiPort = 0;
        foreach (var port in new[] { "7001", "7101", "7201", "7301" })
        {
            var free = ArchgateProcess.FreePort();
            apiPort = port == "7101" ? free : apiPort;
            text = text.Replace($"127.0.0.1:{port}", $"127.0.0.1:{free.ToString(System.Globalization.CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
        }

        var manifest = Path.Combine(Folder, "archgate.yaml");
        File.WriteAllText(manifest, text);
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
