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
}
