using System.Net;
using System.Text;
using System.Text.Json;

namespace Archgate.Import;

/// <summary>
/// 'init --discover-openapi': asks each running HTTP component on this machine for its OpenAPI document at the usual
/// paths and keeps the first that answers with one, next to the manifest (the manifest names files, not URLs).
/// Loopback only; each request bounded, and a component that refuses its first connection is not asked again.
/// </summary>
internal static class OpenApiDiscovery
{
    /// <summary>Where ASP.NET Core (Microsoft.AspNetCore.OpenApi, Swashbuckle), FastAPI and springdoc serve the document.</summary>
    public static readonly string[] Paths = ["/openapi/v1.json", "/swagger/v1/swagger.json", "/openapi.json", "/v3/api-docs", "/openapi.yaml", "/swagger.json"];

    /// <summary>The largest document kept.</summary>
    private const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Fills <see cref="ImportedComponent.OpenApi"/> of every service that serves a document; returns one line per service on what happened.</summary>
    /// <param name="system">The imported system.</param>
    /// <param name="manifestFolder">Where the manifest goes; documents are written under its 'contracts/' folder.</param>
    /// <param name="timeout">How long one request may take.</param>
    public static async Task<List<string>> DiscoverAsync(ImportedSystem system, string manifestFolder, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var report = new List<string>();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = timeout };
        foreach (var component in system.Components.Where(c => c.Kind == "service" && c.Url is not null))
        {
            var url = new Uri(component.Url!);
            if (!IPAddress.TryParse(url.Host, out var ip) || !IPAddress.IsLoopback(ip))
            {
                report.Add($"{component.Name}: not asked ({url.Host} is not this machine)");
                continue;
            }

            var found = false;
            foreach (var path in Paths)
            {
                byte[] body;
                try
                {
                    using var response = await http.GetAsync(new Uri(url, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxBytes)
                    {
                        continue;
                    }

                    body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex) when (ex.InnerException is System.Net.Sockets.SocketException)
                {
                    report.Add($"{component.Name}: not running at {url} ({ex.InnerException.Message})");
                    found = true; // nothing more to ask
                    break;
                }
                catch (HttpRequestException)
                {
                    continue;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue; // this path timed out; try the next
                }

                if (body.Length > MaxBytes || !IsOpenApi(body, path.EndsWith(".yaml", StringComparison.Ordinal)))
                {
                    continue;
                }

                var file = $"contracts/{component.Name}{(path.EndsWith(".yaml", StringComparison.Ordinal) ? ".yaml" : ".json")}";
                var full = Path.Combine(manifestFolder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllBytesAsync(full, body, cancellationToken).ConfigureAwait(false);
                component.OpenApi = file;
                report.Add($"{component.Name}: {new Uri(url, path)} -> {file}");
                found = true;
                break;
            }

            if (!found)
            {
                report.Add($"{component.Name}: no OpenAPI document at {string.Join(", ", Paths)}");
            }
        }

        return report;
    }

    /// <summary>A JSON object with 'openapi' or 'swagger' at the top, or YAML that starts so.</summary>
    private static bool IsOpenApi(byte[] body, bool yaml)
    {
        if (yaml)
        {
            var text = Encoding.UTF8.GetString(body);
            return text.Split('\n').Any(l => l.StartsWith("openapi:", StringComparison.Ordinal) || l.StartsWith("swagger:", StringComparison.Ordinal));
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && (document.RootElement.TryGetProperty("openapi", out _) || document.RootElement.TryGetProperty("swagger", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
