using Archgate.Import;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Tests;

namespace Archgate.Core.Tests.Import;

/// <summary>
/// 'archgate init --from': compose files, Aspire manifests and Kubernetes YAML in the shapes those tools write, each giving
/// a manifest the loader accepts (what 'archgate validate' runs) and that a golden file shows.
/// </summary>
public sealed class ManifestImportTests
{
    private static readonly string Folder = Path.Combine(Golden.SourceDirectory(), "..", "Golden", "Import");

    public static TheoryData<string, bool> Sources() => new()
    {
        { "shop.compose.yml", true },
        { "voting.compose.yml", true },
        { "catalog.compose.yml", false },
        { "starter.aspire-manifest.json", false },
        { "catalog.aspire-manifest.json", false },
        { "orders.k8s.yaml", false },
        { "billing.helm.yaml", false },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Convert_RealShapedSource_WritesTheGoldenManifestWhichValidates(string source, bool docker)
    {
        var (_, manifest) = Convert(source, docker);

        Golden.Assert(Path.Combine(Folder, source + ".archgate.yaml"), manifest);
        var model = Load(manifest);
        Assert.NotEmpty(model.Components);
        Assert.StartsWith("# yaml-language-server: $schema=archgate.schema.json\n", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_Shop_MapsDatabaseEdgesHealthAndRunSections()
    {
        var (system, manifest) = Convert("shop.compose.yml", docker: true);
        var model = Load(manifest);

        Assert.Equal("shop", model.Name);
        Assert.Equal(["db", "gateway", "payments", "api", "web"], model.Components.Select(c => c.Name));
        var db = model.Components.Single(c => c.Name == "db");
        Assert.Equal(DatabaseEngine.Postgres, ((Archgate.Model.DatabaseComponent)db).Engine);
        // The application's own connection string names the database and its user; the password stays in the environment.
        Assert.Equal("Host=127.0.0.1;Port=5433;Database=shop;Username=shop_app;Password=", ((Archgate.Model.DatabaseComponent)db).Connection);
        Assert.Contains("Password=${SHOP_DB_PASSWORD:-}", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=shop", manifest, StringComparison.Ordinal);

        var api = model.Components.Single(c => c.Name == "api");
        Assert.Equal(new Uri("http://127.0.0.1:7101"), ((Archgate.Model.HttpComponent)api).Url);
        Assert.Equal("/health/ready", api.HealthPath);
        Assert.Equal(["db", "payments", "gateway"], api.DependsOn); // depends_on, then the URLs its environment names
        Assert.Equal("docker compose -f shop.compose.yml up --no-deps api", api.Run!.Command);
        Assert.Equal("/health/ready", api.Run.Ready.HttpPath);
        Assert.Equal(5433, model.Components.Single(c => c.Name == "db").Run!.Ready.TcpPort);
        Assert.Equal(ComponentKind.Frontend, model.Components.Single(c => c.Name == "web").Kind);
        Assert.Equal(["gateway"], model.Components.Single(c => c.Name == "payments").DependsOn);
        Assert.Contains("migrate: a one-shot job", manifest, StringComparison.Ordinal);
        Assert.Contains(system.Components.Single(c => c.Name == "api").DependsOn, d => d is ("db", "compose waits until db is healthy"));
    }

    [Fact]
    public void Compose_WithoutDocker_WritesTodosForRunAndUnpublishedPorts()
    {
        var (_, manifest) = Convert("catalog.compose.yml", docker: false);
        var model = Load(manifest);

        Assert.All(model.Components, c => Assert.Null(c.Run));
        Assert.Contains("# run: { command: ... }   # TODO: docker was not found on this machine", manifest, StringComparison.Ordinal);
        // search publishes no port: a placeholder url with the reason.
        Assert.Contains("url: http://127.0.0.1:9200   # TODO: no port is published to the host", manifest, StringComparison.Ordinal);
        // RabbitMQ is no engine Archgate checks: written commented out, and the edge to it too.
        Assert.Contains("  # - name: broker", manifest, StringComparison.Ordinal);
        Assert.Contains("      # - broker   # not checked", manifest, StringComparison.Ordinal);
        var api = model.Components.Single(c => c.Name == "catalog-api");
        Assert.Equal(["catalog-db", "search"], api.DependsOn);
        Assert.Equal("/healthz", api.HealthPath);
        Assert.Equal("Host=127.0.0.1;Port=5432;Database=catalog;Username=catalog;Password=", ((Archgate.Model.DatabaseComponent)model.Components.Single(c => c.Name == "catalog-db")).Connection);
        Assert.Contains("Password=${CATALOG_DB_PASSWORD:-}", manifest, StringComparison.Ordinal);
        Assert.Equal(ComponentKind.Frontend, model.Components.Single(c => c.Name == "admin-ui").Kind);
    }

    [Fact]
    public void Aspire_ProjectsGetPinnedPortsAndEdgesFromReferences()
    {
        var (_, manifest) = Convert("catalog.aspire-manifest.json", docker: false);
        var model = Load(manifest);

        Assert.Equal(["catalogdb", "orderingdb", "catalog-api", "ordering-api", "identity-api", "webapp"], model.Components.Select(c => c.Name));
        var catalog = model.Components.Single(c => c.Name == "catalog-api");
        Assert.Equal(new Uri("http://127.0.0.1:5222"), ((Archgate.Model.HttpComponent)catalog).Url); // the binding's port
        Assert.Equal(["catalogdb"], catalog.DependsOn);          // eventbus (RabbitMQ) is written commented out
        Assert.Equal("dotnet run --project ../Catalog.API/Catalog.API.csproj --urls http://127.0.0.1:5222", catalog.Run!.Command);
        Assert.Equal("Host=127.0.0.1;Port=5432;Database=catalogdb;Username=postgres;Password=", catalog.Run.Environment["ConnectionStrings__catalogdb"]);
        var ordering = model.Components.Single(c => c.Name == "ordering-api");
        Assert.Equal(["orderingdb", "identity-api"], ordering.DependsOn);
        Assert.Equal("${url:identity-api}", ordering.Run!.Environment["Identity__Url"]);
        Assert.Equal(["catalog-api", "ordering-api"], model.Components.Single(c => c.Name == "webapp").DependsOn);
        Assert.Contains("Password=${POSTGRES_PASSWORD:-}", manifest, StringComparison.Ordinal);
        Assert.Contains("insights: resource type azure.bicep.v0", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_ServicesNameComponentsProbesGiveHealthAndConfigMapUrlsGiveEdges()
    {
        var (_, manifest) = Convert("orders.k8s.yaml", docker: false);
        var model = Load(manifest);

        var orders = model.Components.Single(c => c.Name == "orders");
        Assert.Equal(new Uri("http://127.0.0.1:8080"), ((Archgate.Model.HttpComponent)orders).Url); // service port 80, forwarded to 8080 locally
        Assert.Equal("/health/ready", orders.HealthPath);
        Assert.Equal(["orders-db", "inventory"], orders.DependsOn);
        Assert.Contains("kubectl port-forward svc/orders 8080:80", manifest, StringComparison.Ordinal);
        Assert.Contains("exposed by Ingress shop at shop.example.test/api", manifest, StringComparison.Ordinal);
        Assert.Null(model.Components.Single(c => c.Name == "inventory").HealthPath);
        Assert.Contains("its readiness probe is not an HTTP GET", manifest, StringComparison.Ordinal);
        var db = model.Components.Single(c => c.Name == "orders-db");
        Assert.Equal("Host=127.0.0.1;Port=5432;Database=orders;Username=orders;Password=", ((Archgate.Model.DatabaseComponent)db).Connection);
        Assert.Contains("secret orders-db, key password", manifest, StringComparison.Ordinal);
        Assert.Equal(["orders"], model.Components.Single(c => c.Name == "storefront").DependsOn);
        Assert.Contains("orders-migrate: a Job", manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_RenderedHelmChart_NamesTheReleaseAndSkipsHooks()
    {
        var (_, manifest) = Convert("billing.helm.yaml", docker: false);
        var model = Load(manifest);

        Assert.Equal("billing", model.Name);
        Assert.Equal(["billing-api", "billing-ledger"], model.Components.Select(c => c.Name));
        var api = model.Components.Single(c => c.Name == "billing-api");
        Assert.Equal("/readyz", api.HealthPath);
        Assert.Equal(["billing-ledger"], api.DependsOn);
        Assert.Contains("      # - billing-redis   # not checked", manifest, StringComparison.Ordinal);
        Assert.Equal("/live", model.Components.Single(c => c.Name == "billing-ledger").HealthPath);
        Assert.Contains("billing-api-test-connection: a Helm test hook", manifest, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("just: text")]
    [InlineData("[1, 2")]
    [InlineData("{ \"name\": 1 }")]
    public void Convert_SomethingElse_SaysWhatItReads(string text)
    {
        var ex = Assert.Throws<ImportException>(() => ManifestImport.Convert(text, "x.yml", "x", docker: false, "archgate init --from x.yml"));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    private static (ImportedSystem System, string Manifest) Convert(string source, bool docker) =>
        ManifestImport.Convert(File.ReadAllText(Path.Combine(Folder, source)), source, "fallback", docker, $"archgate init --from {source}");

    private static SystemModel Load(string manifest)
    {
        var result = ManifestLoader.Parse(manifest, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "0", _ => null);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.ToString())) + "\n" + manifest);
        return result.Model!;
    }
}
