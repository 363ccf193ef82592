using Archgate.Launch;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Tests;

namespace Archgate.Core.Tests.Launch;

public sealed class EdgeAddressTests
{
    private const string Manifest = """
        version: 1
        system: { name: s }
        components:
          - name: payments
            kind: service
            url: http://127.0.0.1:7201
          - name: api
            kind: service
            url: http://127.0.0.1:{PORT}
            dependsOn: [payments]
            run:
              command: /bin/sh -c "echo payments=$PAYMENTS_URL plain=$PLAIN; sleep 60"
              env:
                PAYMENTS_URL: "${url:payments}"
                PLAIN: "${url:-not-an-edge}"
              ready: { log: "payments=" }
        """;

    [Fact]
    public void A_url_reference_stays_in_the_model_as_an_edge()
    {
        var model = TestSystems.Load(Manifest.Replace("{PORT}", "7101", StringComparison.Ordinal));

        Assert.Equal("${url:payments}", model.Find("api")!.Run!.Environment["PAYMENTS_URL"]);
        Assert.Equal("not-an-edge", model.Find("api")!.Run!.Environment["PLAIN"]); // ${url:-default} is still a variable
        Assert.Equal([new Edge("api", "payments")], model.ProxiedEdges);
    }

    [Fact]
    public void Expand_formats_a_bare_authority_without_a_trailing_slash()
    {
        Assert.Equal("x=http://127.0.0.1:9/ y=http://h:1", EdgeAddress.Expand("x=${url:a}/ y=${url:b}", n => new Uri(n == "a" ? "http://127.0.0.1:9/" : "http://h:1")));
        Assert.Equal("https://h:1/base/", EdgeAddress.Format(new Uri("https://h:1/base/")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_caller_gets_the_proxy_s_address_when_there_are_proxies_else_the_dependency_s(bool proxied)
    {
        var model = TestSystems.Load(Manifest.Replace("{PORT}", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var proxies = new RecordingProxies();

        var log = await StartAndReadLogAsync(model, proxied ? proxies : null);

        Assert.Contains(proxied ? "payments=http://127.0.0.1:4242 " : "payments=http://127.0.0.1:7201 ", log, StringComparison.Ordinal);
        Assert.Equal(proxied ? ["api → payments at http://127.0.0.1:7201/"] : [], proxies.Opened);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_broker_s_url_is_its_AMQP_URI_handed_to_the_proxies_and_the_caller_gets_what_they_answer(bool proxied)
    {
        var model = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: bus, kind: broker, connection: "amqp://shop:${BUS_PASSWORD}@127.0.0.1:7401/%2f" }
              - name: api
                kind: service
                url: http://127.0.0.1:{{FreePort.Next()}}
                dependsOn: [bus]
                run:
                  command: /bin/sh -c "echo amqp=$SHOP_AMQP; sleep 60"
                  env: { SHOP_AMQP: "${url:bus}" }
                  ready: { log: "amqp=" }
            """, environment: new Dictionary<string, string> { ["BUS_PASSWORD"] = "s3cret" });
        Assert.Equal([new Edge("api", "bus")], model.ProxiedEdges);
        Assert.Equal(new Uri("amqp://shop:s3cret@127.0.0.1:7401/%2f"), EdgeAddress.Target(model.Find("bus")));
        var proxies = new RecordingProxies(new Uri("amqp://shop:s3cret@127.0.0.1:4242/%2f"));

        var log = await StartAndReadLogAsync(model, proxied ? proxies : null);

        Assert.Contains(proxied ? "amqp=amqp://shop:s3cret@127.0.0.1:4242/%2f" : "amqp=amqp://shop:s3cret@127.0.0.1:7401/%2f", log, StringComparison.Ordinal);
        Assert.Equal(proxied ? ["api → bus at amqp://shop:s3cret@127.0.0.1:7401/%2f"] : [], proxies.Opened);
    }

    [Fact]
    public void A_database_still_has_no_url_to_hand_out()
    {
        var errors = Archgate.Manifest.ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source=x.db" }
              - { name: api, kind: service, url: "http://127.0.0.1:9", dependsOn: [db], run: { command: x, env: { DB: "${url:db}" } } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null).Errors;

        Assert.Contains(errors, e => e.Message == "${url:db}: 'db' has no url" && e.Hint!.Contains("brokers", StringComparison.Ordinal));
    }

    /// <summary>Starts the system (its one started component, through <paramref name="proxies"/> when given) and returns that component's log once it is ready.</summary>
    private static async Task<string> StartAndReadLogAsync(SystemModel model, IEdgeProxies? proxies)
    {
        var folder = Directory.CreateTempSubdirectory("archgate-edges-").FullName;
        try
        {
            using var launcher = new SystemLauncher(Planner.Plan(model), folder) { Edges = proxies };
            using var http = new HttpClient();
            var failure = await launcher.StartAsync(http, CancellationToken.None);
            try
            {
                Assert.Null(failure);
                return await File.ReadAllTextAsync(launcher.Started.Single().LogFile);
            }
            finally
            {
                await launcher.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class RecordingProxies(Uri? answer = null) : IEdgeProxies
    {
        public List<string> Opened { get; } = [];

        public Uri Open(string caller, string dependency, Uri dependencyUrl)
        {
            Opened.Add($"{new Edge(caller, dependency)} at {dependencyUrl}");
            return answer ?? new Uri("http://127.0.0.1:4242");
        }
    }
}
