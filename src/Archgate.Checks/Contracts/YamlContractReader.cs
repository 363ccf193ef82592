using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using YamlDotNet.Core;

namespace Archgate.Checks.Contracts;

/// <summary>
/// The OpenAPI reader for YAML documents, the contract itself and every YAML file its <c>$ref</c>s name: YamlDotNet
/// parses the YAML (YAML 1.2, so <c>{ url: http://host:7710 }</c> is a URL, as libyaml and the manifest loader read
/// it) and the JSON reader reads the result. The stock YAML reader's parser refuses such valid documents.
/// </summary>
internal sealed class YamlContractReader : IOpenApiReader
{
    private static readonly OpenApiJsonReader Json = new();

    /// <summary>Registers this reader for the <c>yaml</c> and <c>yml</c> formats of <paramref name="settings"/>.</summary>
    public static void Register(OpenApiReaderSettings settings)
    {
        var reader = new YamlContractReader();
        settings.TryAddReader(OpenApiConstants.Yaml, reader);
        settings.TryAddReader(OpenApiConstants.Yml, reader);
    }

    public async Task<ReadResult> ReadAsync(Stream input, Uri location, OpenApiReaderSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: settings.LeaveStreamOpen);
        return Read(await reader.ReadToEndAsync(cancellationToken), location, settings);
    }

    public ReadResult Read(MemoryStream input, Uri location, OpenApiReaderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: settings.LeaveStreamOpen);
        return Read(reader.ReadToEnd(), location, settings);
    }

    public T? ReadFragment<T>(MemoryStream input, OpenApiSpecVersion version, OpenApiDocument openApiDocument, out OpenApiDiagnostic diagnostic, OpenApiReaderSettings? settings = null)
        where T : IOpenApiElement
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        if (!TryConvert(reader.ReadToEnd(), null, out var json, out var error))
        {
            diagnostic = new OpenApiDiagnostic { Format = OpenApiConstants.Yaml };
            diagnostic.Errors.Add(error);
            return default;
        }

        return Json.ReadFragment<T>(json, version, openApiDocument, out diagnostic, settings);
    }

    private static ReadResult Read(string text, Uri? location, OpenApiReaderSettings settings)
    {
        if (!TryConvert(text, location, out var json, out var error))
        {
            var diagnostic = new OpenApiDiagnostic { Format = OpenApiConstants.Yaml };
            diagnostic.Errors.Add(error);
            return new ReadResult { Document = null, Diagnostic = diagnostic };
        }

        var result = Json.Read(json, location!, settings);
        result.Diagnostic ??= new OpenApiDiagnostic();
        result.Diagnostic.Format = OpenApiConstants.Yaml;
        return result;
    }

    private static bool TryConvert(string text, Uri? location, out JsonNode json, out OpenApiError error)
    {
        json = null!;
        error = null!;
        try
        {
            if (YamlJson.Parse(text) is { } root && YamlJson.Convert(root) is { } node)
            {
                json = node;
                return true;
            }

            error = new OpenApiError("", $"{Name(location)} is empty: no YAML document in it");
        }
        catch (YamlException ex)
        {
            // YamlDotNet's marks are 1-based, as the rest of our positions are.
            error = new OpenApiError("", $"{Name(location)} is not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {YamlJson.StripMark(ex.Message)}");
        }

        return false;
    }

    private static string Name(Uri? location) =>
        location is null ? "the document" : location.IsFile ? location.LocalPath : location.ToString();
}
