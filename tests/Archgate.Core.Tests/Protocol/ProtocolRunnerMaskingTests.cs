using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;

namespace Archgate.Core.Tests.Protocol;

/// <summary>A secret in a declared URL's query string (or user-info) never reaches the run record, the reports or the terminal.</summary>
public sealed class ProtocolRunnerMaskingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-masking-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class LeakyCheck : ICheck
    {
        public string Id => "services.health:api";

        public int Step => 4;

        public string Title => "api is healthy";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
        {
            context.Activity?.Report("GET http://127.0.0.1:7101/health?api_key=s3cr3t-key");
            return Task.FromResult(new CheckResult
            {
                Status = CheckStatus.Fail,
                Reason = "GET http://ann:s3cr3t-pw@127.0.0.1:7101/health failed",
                Findings =
                [
                    new Finding
                    {
                        Rule = "AG4001", Severity = Severity.High, Component = "api",
                        Location = "GET http://127.0.0.1:7101/health?api_key=s3cr3t-key&verbose=1",
                        Message = "answered 503 for /health?token=s3cr3t-token",
                        Evidence = "redirected to http://ann:s3cr3t-pw@127.0.0.1/",
                    },
                ],
            });
        }
    }

    private sealed class ActivityRecorder : IRunObserver
    {
        public List<string> Activities { get; } = [];

        public void RunStarted(RunRecord run)
        {
        }

        public void StepStarted(int number, string name)
        {
        }

        public void CheckStarted(ICheck check)
        {
        }

        public void CheckActivity(ICheck check, string activity) => Activities.Add(activity);

        public void CheckRetrying(ICheck check, int nextAttempt, TimeSpan delay, string cause)
        {
        }

        public void CheckFinished(ICheck check, CheckResult result)
        {
        }

        public void StepFinished(StepResult step)
        {
        }
    }

    [Fact]
    public async Task Secret_query_values_and_user_info_are_masked_in_the_record_the_reports_and_the_activity()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var observer = new ActivityRecorder();
        var runner = new ProtocolRunner(store, TestProtocol.With([new LeakyCheck()]), _http, observer);

        var run = await runner.StartAsync(TestSystems.Load(TestSystems.Shop), new RunOptions { OutputDirectory = Path.Combine(_dir, "out") }, CancellationToken.None);

        var finding = run.Steps.Single(s => s.Number == 4).Checks.Single().Findings.Single();
        Assert.Equal("GET http://127.0.0.1:7101/health?api_key=***&verbose=1", finding.Location);
        foreach (var file in Directory.GetFiles(Path.Combine(_dir, "out")))
        {
            Assert.DoesNotContain("s3cr3t", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        Assert.NotEmpty(observer.Activities);
        Assert.DoesNotContain(observer.Activities, a => a.Contains("s3cr3t", StringComparison.Ordinal));
    }

    private sealed class EchoingCheck : ICheck
    {
        public string Id => "services.health:api";

        public int Step => 4;

        public string Title => "api is healthy";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        // A check that copies a request body with the identity's password into its evidence, as a careless one might.
        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CheckResult
            {
                Status = CheckStatus.Fail,
                Findings =
                [
                    new Finding
                    {
                        Rule = "AG4001", Severity = Severity.High, Component = "api",
                        Message = "login as ada with p4ss-of-ada refused",
                        Evidence = """curl -d '{"username":"ada","password":"p4ss-of-ada"}' -H 'X-Key: k3y-of-ci'""",
                    },
                ],
            });
    }

    [Fact]
    public async Task Every_secret_the_manifests_identities_declare_is_masked_in_every_result()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([new EchoingCheck()]), _http);
        var system = TestSystems.Load(TestSystems.Shop.Replace("components:", """
            auth:
              ada: { login: POST /auth/login, user: ada, password: p4ss-of-ada }
              ci: { apiKey: { header: X-Key, value: k3y-of-ci } }
            components:
            """, StringComparison.Ordinal));

        var run = await runner.StartAsync(system, new RunOptions { OutputDirectory = Path.Combine(_dir, "out") }, CancellationToken.None);

        var finding = run.Steps.Single(s => s.Number == 4).Checks.Single().Findings.Single();
        Assert.Equal("login as ada with *** refused", finding.Message);
        Assert.Equal("""curl -d '{"username":"ada","password":"***"}' -H 'X-Key: ***'""", finding.Evidence);
    }
}
