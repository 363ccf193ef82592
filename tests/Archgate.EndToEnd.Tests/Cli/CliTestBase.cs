using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>Each test gets its own working folder (so its own .archgate store), port and database file.</summary>
public abstract class CliTestBase : IDisposable
{
    protected CliTestBase()
    {
        Folder = Directory.CreateTempSubdirectory("archgate-e2e-").FullName;
        Port = FreePort.Next();
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

    /// <summary>
    /// The minimal sample's manifest copied into this test's folder as <c>archgate.yaml</c>: paths made absolute,
    /// the api's p95 target suited to a shared 2-core machine (tests judge verdicts, not latency), then
    /// <paramref name="edit"/> applied. Returns the copy's path.
    /// </summary>
    protected string WriteMinimalManifest(Func<string, string>? edit = null)
    {
        var sample = Path.Combine(ArchgateProcess.RepositoryRoot, "samples", "minimal");
        var text = File.ReadAllText(ArchgateProcess.MinimalManifest);
        foreach (var (old, replacement) in new[]
        {
            ("openapi: openapi.yaml", $"openapi: {Path.Combine(sample, "openapi.yaml")}"),
            ("dotnet .build/", $"dotnet {Path.Combine(sample, ".build")}/"),
            ("api: { p95: 200ms,", "api: { p95: 5s,"),
            ("timeout: 30s }", "timeout: 120s }"),
        })
        {
            Assert.Contains(old, text, StringComparison.Ordinal); // the sample changed: mend this copy
            text = text.Replace(old, replacement, StringComparison.Ordinal);
        }

        var path = Path.Combine(Folder, "archgate.yaml");
        File.WriteAllText(path, edit is null ? text : edit(text));
        return path;
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
