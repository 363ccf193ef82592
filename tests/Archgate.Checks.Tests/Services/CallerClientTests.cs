using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;

namespace Archgate.Checks.Tests.Services;

/// <summary>What a drive sends: a request as written with <c>{uuid}</c> and <c>{run}</c> filled, or a journey's requests.</summary>
public sealed class CallerClientTests
{
    [Fact]
    public async Task A_journey_drive_signs_in_once_creates_a_fresh_object_each_send_and_answers_with_its_last_request()
    {
        var created = 0;
        using var api = new ScriptedHttpServer(r => (r.Method, r.PathAndQuery) switch
        {
            ("POST", "/auth/login") => new Reply(200, """{ "accessToken": "tok-1" }"""),
            _ when r.Headers.GetValueOrDefault("Authorization") != "Bearer tok-1" => new Reply(401),
            ("POST", "/reservations") => new Reply(201, $$"""{ "id": {{Interlocked.Increment(ref created)}} }"""),
            ("POST", var p) when p.EndsWith("/confirm", StringComparison.Ordinal) => new Reply(503, """{ "detail": "payments is down" }"""),
            _ => new Reply(404),
        });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            auth:
              ann: { login: POST /auth/login, user: ann, password: pw }
            components:
              - { name: paygate, kind: service, url: "http://127.0.0.1:9" }
              - { name: payments, kind: service, url: "http://127.0.0.1:8", dependsOn: [paygate] }
              - { name: api, kind: service, url: "{{api.Url}}", dependsOn: [payments] }
            journeys:
              - name: book and confirm
                service: api
                setup: [ { login: ann } ]
                steps:
                  - request: POST /reservations
                    headers: { Authorization: "Bearer {token}" }
                    json: { room: 3, reference: "r-{uuid}" }
                    capture: { id: $.id }
                  - request: POST /reservations/{id}/confirm
                    headers: { Authorization: "Bearer {token}" }
                    expect: { status: 200 }
            edges:
              - { from: payments, to: paygate, drive: { journey: book and confirm } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var client = CallerClient.Of(system.Find<HttpComponent>("api")!, TestSystems.Context(system, http));
        var drive = system.Edges[0].Drive!;

        var first = await client.SendAsync(drive, TimeSpan.Zero, CancellationToken.None);
        var second = await client.SendAsync(drive, TimeSpan.FromSeconds(1), CancellationToken.None);

        // The last request's answer is the caller's, judged by the check, not by the journey's expect.
        Assert.Equal((503, (string?)null), (first.Status, first.Error));
        Assert.Equal(503, second.Status);
        var requests = api.Requests.Select(r => $"{r.Method} {r.PathAndQuery}").ToList();
        Assert.Equal(["POST /auth/login", "POST /reservations", "POST /reservations/1/confirm", "POST /reservations", "POST /reservations/2/confirm"], requests);
        var references = api.Requests.Where(r => r.PathAndQuery == "/reservations").Select(r => r.Body).ToList();
        Assert.Equal(2, references.Distinct().Count());
    }

    [Fact]
    public async Task A_journey_drive_whose_earlier_step_fails_answers_nothing_and_says_where()
    {
        using var api = new ScriptedHttpServer(r => r.PathAndQuery == "/reservations" ? new Reply(500, """{ "detail": "boom" }""") : new Reply(200, "{}"));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:8" }
              - { name: api, kind: service, url: "{{api.Url}}", dependsOn: [payments] }
            journeys:
              - name: book and confirm
                service: api
                steps:
                  - { request: POST /reservations, capture: { id: $.id } }
                  - POST /reservations/{id}/confirm
            edges:
              - { from: api, to: payments, drive: { journey: book and confirm } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var client = CallerClient.Of(system.Find<HttpComponent>("api")!, TestSystems.Context(system, http));

        var answer = await client.SendAsync(system.Edges[0].Drive!, TimeSpan.Zero, CancellationToken.None);

        Assert.Null(answer.Status);
        Assert.Contains("journey 'book and confirm' failed at step 1 (POST /reservations) before the drive request", answer.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery.EndsWith("/confirm", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_written_drive_gets_a_new_uuid_and_its_run_number_each_send()
    {
        using var api = new ScriptedHttpServer(_ => new Reply(201, "{}"));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:8" }
              - { name: api, kind: service, url: "{{api.Url}}", dependsOn: [payments] }
            edges:
              - { from: api, to: payments, drive: { request: "POST /carts/{run}/checkout", json: { reference: "r-{uuid}", seats: 2 } } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var client = CallerClient.Of(system.Find<HttpComponent>("api")!, TestSystems.Context(system, http));

        await client.SendAsync(system.Edges[0].Drive!, TimeSpan.Zero, CancellationToken.None);
        await client.SendAsync(system.Edges[0].Drive!, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(["/carts/1/checkout", "/carts/2/checkout"], api.Requests.Select(r => r.PathAndQuery));
        var bodies = api.Requests.Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!).ToList();
        Assert.All(bodies, b => Assert.Matches("^r-[0-9a-f-]{36}$", (string)b["reference"]!));
        Assert.NotEqual((string)bodies[0]["reference"]!, (string)bodies[1]["reference"]!);
        Assert.All(bodies, b => Assert.Equal(2, (int)b["seats"]!));
    }

    [Fact]
    public async Task A_drive_the_caller_does_not_answer_says_what_failed_not_the_exception_type()
    {
        var closed = Archgate.Testing.FreePort.Next(); // nothing listens there
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: payments, kind: service, url: "http://127.0.0.1:8" }
              - { name: api, kind: service, url: "http://127.0.0.1:{{closed}}", dependsOn: [payments] }
            edges:
              - { from: api, to: payments, drive: { request: POST /orders } }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var client = CallerClient.Of(system.Find<HttpComponent>("api")!, TestSystems.Context(system, http));

        var answer = await client.SendAsync(system.Edges[0].Drive!, TimeSpan.Zero, CancellationToken.None);

        Assert.Null(answer.Status);
        Assert.Equal("connection refused", answer.Error);
    }
}
