using Archgate.Checks.Database;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Database;

/// <summary>Builds a system around one database (and optionally a service using it) and runs one step 3 check on it.</summary>
internal static class DatabaseTestKit
{
    /// <summary>A system whose database 'db' has <paramref name="dbExtra"/> (YAML lines under the component, indented by 4).</summary>
    public static SystemModel System(string engine, string connection, string dbExtra = "", string? serviceUrl = null, string serviceExtra = "", string slo = "")
    {
        var service = serviceUrl is null ? string.Empty : $$"""

              - name: api
                kind: service
                url: {{serviceUrl}}
                health: /health
                dependsOn: [db]
            {{serviceExtra}}
            """;
        return TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: db
                kind: database
                engine: {{engine}}
                connection: "{{connection}}"
            {{dbExtra}}{{service}}
            {{slo}}
            """);
    }

    public static async Task<CheckResult> RunAsync(ICheck check, SystemModel system)
    {
        using var http = Http.ProbeHttp.CreateClient(system.AllowedHosts);
        var applies = check.AppliesTo(system);
        Assert.True(applies.Applies, applies.Reason);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    public static DatabaseComponent Db(this SystemModel system) => system.Find<DatabaseComponent>("db")!;

    /// <summary>A fresh SQLite file with <paramref name="script"/> run on a connection with foreign keys as given.</summary>
    public static string SqliteFile(string script, bool foreignKeys = true)
    {
        var file = Path.Combine(Path.GetTempPath(), $"archgate-db-{Guid.NewGuid():N}.db");
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False;Foreign Keys={foreignKeys}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = script;
        command.ExecuteNonQuery();
        return file;
    }

    public static string Describe(CheckResult result) =>
        $"{result.Status} {result.Reason}\n" + string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location}: {f.Message} | {f.Evidence} | {f.Hint}"));
}
