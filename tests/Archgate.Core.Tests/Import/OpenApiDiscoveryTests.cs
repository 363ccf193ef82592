using System.Text;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Import;
using Archgate.Manifest;

namespace Archgate.Core.Tests.Import;

/// <summary>'init --from ... --discover-openapi' against real HTTP servers on 127.0.0.1.</summary>
public sealed class OpenApiDiscoveryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-discover-").FullName;

    [Fact]
    public async Task DiscoverAsync_SavesTheDocumentARunningServiceServes_AndTheManifestNamesIt()
    {
        var asked = new List<string>();
        using var api = new LocalHttpServer(async context =>
        {
            lock (asked)
            {
                asked.Add(context.Request.Url!.AbsolutePath);
            }

            var (status, body) = context.Request.Url!.AbsolutePath switch
            {
                "/openapi/v1.json" => (200, "<html>not a document</html>"),
                "/swagger/v1/swagger.json" => (200, """{ "openapi": "3.0.1", "info": { "title": "api", "version": "1" }, "paths": {} }"""),
                _ => (404, "{}"),
            };
            await LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(body), "application/json");
        });
        using var plain = new LocalHttpServer(context => LocalHttpServer.WriteAsync(context, 404, [], "text/plain"));
        var stopped = FreePort.Next();
        var compose = $$"""
            services:
              api: { image: acme/api, ports: ["{{api.Port}}:8080"] }
              plain: { image: acme/plain, ports: ["{{plain.Port}}:8080"] }
              stopped: { image: acme/stopped, ports: ["{{stopped}}:8080"] }
            """;
        var system = ManifestImport.Read(compose, "docker-compose.yml", "demo", docker: false);

        var report = await OpenApiDiscovery.DiscoverAsync(system, _folder, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal("contracts/api.json", system.Components.Single(c => c.Name == "api").OpenApi);
        Assert.Contains("\"openapi\": \"3.0.1\"", await File.ReadAllTextAsync(Path.Combine(_folder, "contracts", "api.json")), StringComparison.Ordinal);
        Assert.Equal(["/openapi/v1.json", "/swagger/v1/swagger.json"], asked); // the HTML answer is no document; it stops at the first that is
        Assert.Null(system.Components.Single(c => c.Name == "plain").OpenApi);
        Assert.Contains(report, l => l.StartsWith("plain: no OpenAPI document", StringComparison.Ordinal));
        Assert.Contains(report, l => l.StartsWith("stopped: not running", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_folder, "contracts", "plain.json")));

        var manifest = ManifestWriter.Write(system, "archgate init --from docker-compose.yml --discover-openapi");
        Assert.Contains("    openapi: contracts/api.json", manifest, StringComparison.Ordinal);
        var path = Path.Combine(_folder, "archgate.yaml");
        var loaded = ManifestLoader.Parse(manifest, "archgate.yaml", path, "0", _ => null);
        Assert.Empty(loaded.Errors);
        Assert.Equal(Path.Combine(_folder, "contracts", "api.json"), loaded.Model!.Components.Single(c => c.Name == "api").OpenApi!.Path);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
