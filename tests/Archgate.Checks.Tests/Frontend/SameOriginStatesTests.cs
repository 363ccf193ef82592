using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// A page and its API on one origin, as a reverse proxy serves them (the API's url is the bare origin): only the page's
/// calls go through the fault proxy. Before, its document went through it too, so with the API stopped the page itself
/// did not load (AG5053 "ERR_CONNECTION_REFUSED") and its loading state was never seen.
/// </summary>
public sealed class SameOriginStatesTests
{
    [Fact]
    public async Task The_pages_own_document_and_script_are_not_slowed_or_stopped_with_its_API()
    {
        using var web = new PageServer(new Dictionary<string, string>
        {
            ["/same"] = """
                <!doctype html><html lang="en"><head><title>t</title><link rel="icon" href="data:,"><script src="/app.js"></script></head>
                <body><main><h1>Items</h1><ul id="list"></ul><p id="error" role="alert"></p></main></body></html>
                """,
            ["/app.js"] = """
                addEventListener('DOMContentLoaded', () => {
                  const main = document.querySelector('main'); main.setAttribute('aria-busy', 'true');
                  fetch('/items').then(r => r.text()).then(t => { const li = document.createElement('li'); li.textContent = t.length; document.getElementById('list').append(li); })
                    .catch(() => { document.getElementById('error').textContent = 'The items cannot be loaded right now. Please try again later.'; })
                    .finally(() => main.removeAttribute('aria-busy'));
                });
                """,
            ["/items"] = "mug",
        });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: pages }
            components:
              - { name: api, kind: service, url: "{{web.Url}}" }
              - name: web
                kind: frontend
                url: "{{web.Url}}"
                dependsOn: [api]
                pages: [/same]
                states: { delay: 2s, within: 5s }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var output = Path.Combine(Path.GetTempPath(), "archgate-same-origin-" + Guid.NewGuid().ToString("N"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        var result = await new BrowserCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, new Archgate.Model.BrowserCheckOptions())
            .RunAsync(TestSystems.Context(system, http) with { OutputDirectory = output }, cancel.Token);

        Directory.Delete(output, recursive: true);
        var findings = result.Findings.Where(f => f.Location == "/same").ToList();
        Assert.DoesNotContain(findings, f => f.Rule is FrontendRules.NoLoadingState or FrontendRules.NoErrorState);
        Assert.Equal(2, findings.Count(f => f.Rule == FrontendRules.StateSeen));
    }
}
