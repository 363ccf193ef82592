using System.Text;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Loads OpenAPI 3.0 / 3.1 documents (JSON or YAML) with their <c>$ref</c>s resolved, including
/// references to files next to the document, and reports every problem with file, line and column.
/// </summary>
public static partial class ContractDocumentLoader
{
    /// <summary>Loads the document at <paramref name="path"/>. A missing or invalid file is a result, not an exception.</summary>
    public static Task<ContractLoadResult> LoadAsync(string path, CancellationToken cancellationToken) =>
        LoadAsync(path, null, cancellationToken);

    /// <summary>
    /// Loads the document at <paramref name="path"/>, letting <paramref name="rewrite"/> amend its text first
    /// (keys may be added, never moved, so positions in errors stay right).
    /// </summary>
    internal static async Task<ContractLoadResult> LoadAsync(string path, Func<string, string>? rewrite, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return Failed(new ContractLoadError(path, null, null, "", Directory.Exists(fullPath)
                ? "is a directory; give the path of an OpenAPI document (.yaml, .yml or .json)"
                : "file not found"));
        }

        // Only a regular file within the contract size cap: a FIFO would block, /dev/zero would never end.
        var text = RegularFile.ReadText(fullPath, Manifest.ManifestLimits.MaxContractBytes, out var problem);
        if (text is null)
        {
            return Failed(new ContractLoadError(path, null, null, "", $"cannot be read: {problem}"));
        }

        return await LoadTextAsync(rewrite is null ? text : rewrite(text), path, new Uri(fullPath), cancellationToken);
    }

    /// <summary>
    /// Loads the document at <paramref name="path"/> as a diff reads it: whatever the reader can parse is used, and
    /// problems of validity (a missing description, an unknown property, an operation without responses...) come back
    /// as warnings. Only a document that cannot be read or parsed at all has errors.
    /// </summary>
    public static async Task<ContractLoadResult> LoadLenientAsync(string path, CancellationToken cancellationToken) =>
        Lenient(await LoadAsync(path, null, cancellationToken));

    /// <summary>Parses a document held in memory as <see cref="LoadLenientAsync"/> reads one.</summary>
    public static async Task<ContractLoadResult> ParseLenientAsync(string text, string sourceName, CancellationToken cancellationToken) =>
        Lenient(await ParseAsync(text, sourceName, null, cancellationToken));

    // A parsed document's errors are the reader's judgement of validity; the document itself is still usable.
    private static ContractLoadResult Lenient(ContractLoadResult result) =>
        result.Document is null || result.Errors.Count == 0
            ? result
            : new ContractLoadResult(result.Document, [], [.. result.Errors, .. result.Warnings]);

    /// <summary>
    /// Parses a document held in memory. External (other-file) references are not followed:
    /// there is no folder to resolve them against.
    /// </summary>
    public static Task<ContractLoadResult> ParseAsync(string text, string sourceName, CancellationToken cancellationToken) =>
        ParseAsync(text, sourceName, null, cancellationToken);

    /// <summary>Parses a document held in memory after <paramref name="rewrite"/> amended its text.</summary>
    internal static Task<ContractLoadResult> ParseAsync(string text, string sourceName, Func<string, string>? rewrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        return LoadTextAsync(rewrite is null ? text : rewrite(text), sourceName, null, cancellationToken);
    }

    private static async Task<ContractLoadResult> LoadTextAsync(string text, string file, Uri? location, CancellationToken cancellationToken)
    {
        var isJson = text.AsSpan().TrimStart().StartsWith("{");
        var map = SourceMap.Build(text, isJson, out var syntaxError);
        if (syntaxError is { } syntax)
        {
            return Failed(new ContractLoadError(file, syntax.Line, syntax.Column, "", $"not valid {(isJson ? "JSON" : "YAML")}: {syntax.Message}"));
        }

        text = BooleanSchemas.Rewrite(text, map.Root);
        var settings = new OpenApiReaderSettings { LoadExternalRefs = location is not null, BaseUrl = location };
        YamlContractReader.Register(settings);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        ReadResult read;
        try
        {
            read = await OpenApiDocument.LoadAsync(stream, isJson ? OpenApiConstants.Json : OpenApiConstants.Yaml, settings, cancellationToken);
        }
        catch (FileNotFoundException ex)
        {
            var missing = ex.FileName ?? "";
            var at = map.FindRef(target => RefersTo(target, location, missing));
            return Failed(new ContractLoadError(file, at?.Line, at?.Column, "", $"a $ref names a file that does not exist: {missing}"));
        }
        catch (OpenApiException ex)
        {
            var at = map.Locate(ex.Pointer);
            return Failed(new ContractLoadError(file, at?.Line, at?.Column, ex.Pointer ?? "", ex.Message));
        }

        var errors = Convert(read.Diagnostic?.Errors, file, map);

        // Since 3.1 an operation's 'responses' is optional (webhooks and fire-and-forget operations leave it out).
        if (read.Document is not null && read.Diagnostic?.SpecificationVersion is OpenApiSpecVersion.OpenApi3_1)
        {
            errors.RemoveAll(e => e.Message.StartsWith("Responses must contain at least one response", StringComparison.Ordinal));
        }
        var warnings = Convert(read.Diagnostic?.Warnings, file, map);

        // The reader only warns about a local $ref to nothing; for a contract it is an error: nothing that
        // uses the reference can be validated or compared.
        foreach (var (reference, line, column) in map.UnresolvedLocalRefs())
        {
            errors.Add(new ContractLoadError(file, line, column, reference, $"$ref '{reference}' points at nothing"));
            warnings.RemoveAll(w => w.Line == line);
        }

        if (read.Document is null && errors.Count == 0)
        {
            errors = [new ContractLoadError(file, null, null, "", "is not an OpenAPI document")];
        }

        return new ContractLoadResult(read.Document, errors, warnings);
    }

    private static List<ContractLoadError> Convert(IList<OpenApiError>? problems, string file, SourceMap map) =>
        problems is null
            ? []
            : problems.Select(p =>
            {
                var (message, named) = NameTheProperty(p.Message);
                var pointer = map.Repair(named ?? p.Pointer);
                var at = map.Locate(pointer);
                return new ContractLoadError(file, at?.Line, at?.Column, pointer ?? "", NameTheSchema(message, pointer));
            }).ToList();

    /// <summary>
    /// The reader's "X is not a valid property at #/p" carries no pointer of its own and writes X bare: when X is the
    /// tail of a text YAML split at a comma in a flow mapping (<c>{description: ok (slow, not fatal)}</c>), the message
    /// seems to start mid-sentence. X is quoted, and the pointer is X's key under #/p, so that its line is the one given.
    /// </summary>
    private static (string Message, string? Pointer) NameTheProperty(string message)
    {
        var match = UnknownProperty().Match(message);
        if (!match.Success)
        {
            return (message, null);
        }

        var (name, at) = (match.Groups["name"].Value, match.Groups["at"].Value);
        var key = name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
        return ($"'{name}' is not a valid property at {at}", $"{at.TrimEnd('/')}/{Uri.EscapeDataString(key)}");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<name>.+) is not a valid property at (?<at>#/\S*)$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex UnknownProperty();

    /// <summary>
    /// The reader's messages about a schema name it by its title or reference id, which an inline or untitled schema
    /// lacks ("Schema  must contain..."): name it by its component name, or say where it is.
    /// </summary>
    private static string NameTheSchema(string message, string? pointer)
    {
        const string Unnamed = "Schema  ";
        if (!message.StartsWith(Unnamed, StringComparison.Ordinal))
        {
            return message;
        }

        const string Components = "#/components/schemas/";
        var name = pointer is not null && pointer.StartsWith(Components, StringComparison.Ordinal)
            ? $"Schema '{SourceMap.Unescape(pointer[Components.Length..].Split('/')[0])}' "
            : "The schema here ";
        return name + message[Unnamed.Length..];
    }

    private static bool RefersTo(string target, Uri? location, string missingFile)
    {
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var filePart = hash >= 0 ? target[..hash] : target;
        if (filePart.Length == 0 || location is null)
        {
            return false;
        }

        return Uri.TryCreate(location, filePart, out var resolved)
            && resolved.IsFile
            && string.Equals(Path.GetFullPath(resolved.LocalPath), Path.GetFullPath(missingFile), StringComparison.Ordinal);
    }

    private static ContractLoadResult Failed(ContractLoadError error) => new(null, [error], []);
}
