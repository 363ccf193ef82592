using Archgate.Manifest;

namespace Archgate.Tests.Manifest;

/// <summary>The edges and balancing sections read their names and drives with one reader: the same mistakes, the same errors.</summary>
public sealed class EdgesAndBalancingSectionTests
{
    [Fact]
    public void Unknown_names_and_a_drive_via_a_component_without_url_are_the_same_errors_in_both_sections()
    {
        var errors = ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, engine: postgres, connection: "Host=127.0.0.1" }
              - { name: p1, kind: service, url: "http://127.0.0.1:2" }
              - { name: p2, kind: service, url: "http://127.0.0.1:3" }
              - { name: api, kind: service, url: "http://127.0.0.1:1", dependsOn: [db, p1, p2], run: { command: c, workdir: ., env: { P1: "${url:p1}", P2: "${url:p2}" }, ready: { tcp: 1 } } }
            edges:
              - { from: apx, to: p1 }
              - { from: api, to: p1, drive: { request: POST /orders, via: db } }
              - { from: api, to: p2, drive: { request: POST /orders, via: wbe } }
            balancing:
              - { from: apx, to: [p1, p2], policy: round-robin, drive: { request: POST /orders } }
              - { from: api, to: [p1, p2], policy: round-robin, drive: { request: POST /orders, via: db } }
              - { from: api, to: [p1, p3], policy: round-robin, drive: { request: POST /orders, via: wbe } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors.Select(e => e.ToString()).ToList();

        foreach (var section in new[] { "edges", "balancing" })
        {
            Assert.Contains(errors, e => e.Contains($"{section}[0].from", StringComparison.Ordinal) && e.Contains("unknown component 'apx'", StringComparison.Ordinal) && e.Contains("api", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.Contains($"{section}[1].drive.via", StringComparison.Ordinal) && e.Contains("'db' has no url to send the drive request to", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.Contains($"{section}[2].drive.via", StringComparison.Ordinal) && e.Contains("unknown component 'wbe'", StringComparison.Ordinal));
        }

        Assert.Contains(errors, e => e.Contains("balancing[2].to", StringComparison.Ordinal) && e.Contains("unknown component 'p3'", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }

    private const string JourneyDriveSystem = """
        version: 1
        system: { name: s }
        components:
          - { name: web, kind: frontend, url: "http://127.0.0.1:9" }
          - { name: paygate, kind: service, url: "http://127.0.0.1:2" }
          - { name: payments, kind: service, url: "http://127.0.0.1:3", dependsOn: [paygate] }
          - { name: api, kind: service, url: "http://127.0.0.1:1", dependsOn: [payments, mail, sms, stock] }
          - { name: mail, kind: service, url: "http://127.0.0.1:4" }
          - { name: sms, kind: service, url: "http://127.0.0.1:5" }
          - { name: stock, kind: service, url: "http://127.0.0.1:6" }
        journeys:
          - name: book and confirm
            service: api
            steps:
              - request: POST /reservations
                json: { room: 3, reference: "r-{uuid}" }
                capture: { id: $.id }
              - POST /reservations/{id}/confirm
          - name: look in the page
            service: api
            steps:
              - goto: /
              - GET /reservations
          - name: ends with a sign-in
            service: api
            steps:
              - GET /reservations
              - login: ann
          - name: charge at the default service
            steps:
              - { request: POST /charges, json: { amount: 1 } }
        """;

    [Fact]
    public void A_drive_that_names_a_journey_is_its_last_request_sent_to_its_service()
    {
        var result = ManifestLoader.Parse(JourneyDriveSystem + """

            auth:
              ann: { login: POST /auth/login, user: ann, password: pw }
            edges:
              - { from: payments, to: paygate, drive: { journey: book and confirm } }
              - { from: api, to: payments, drive: { journey: charge at the default service } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

        Assert.Empty(result.Errors);
        var drive = result.Model!.Edges[0].Drive!;
        Assert.Equal(("POST", "/reservations/{id}/confirm", "api", "book and confirm"), (drive.Method, drive.Path, drive.Via, drive.Journey));
        Assert.Null(drive.Json);
        // A journey without 'service' goes to the journeys' default service (the first service here), and so does its drive.
        Assert.Equal(result.Model.Journeys.Single(j => j.Name == "charge at the default service").Service, result.Model.Edges[1].Drive!.Via);
        Assert.Equal("paygate", result.Model.Edges[1].Drive!.Via);
    }

    [Fact]
    public void A_journey_drive_that_cannot_be_sent_is_an_error_at_its_line()
    {
        var errors = ManifestLoader.Parse(JourneyDriveSystem + """

            auth:
              ann: { login: POST /auth/login, user: ann, password: pw }
            edges:
              - { from: payments, to: paygate, drive: { journey: book and confirn } }
              - { from: api, to: payments, drive: { journey: look in the page } }
              - { from: api, to: mail, drive: { journey: ends with a sign-in } }
              - { from: api, to: sms, drive: { journey: book and confirm, request: POST /x } }
              - { from: api, to: stock, drive: { journey: book and confirm, via: payments } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("edges[0].drive.journey", StringComparison.Ordinal) && e.Contains("unknown journey 'book and confirn'", StringComparison.Ordinal) && e.Contains("did you mean 'book and confirm'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("edges[1].drive.journey", StringComparison.Ordinal) && e.Contains("it has browser steps", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("edges[2].drive.journey", StringComparison.Ordinal) && e.Contains("its last step is not an HTTP request", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("edges[3].drive.request", StringComparison.Ordinal) && e.Contains("a drive is a request or a journey, not both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("edges[4].drive.via", StringComparison.Ordinal) && e.Contains("a journey drive is sent to its journey's service, not 'via'", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }
}
