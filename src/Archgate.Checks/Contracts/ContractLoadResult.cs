using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts;

/// <summary>A problem found while loading an OpenAPI document, with where it is.</summary>
/// <param name="File">The file (or source name) the problem is in.</param>
/// <param name="Line">1-based line, when it could be traced back to the text.</param>
/// <param name="Column">1-based column, when it could be traced back to the text.</param>
/// <param name="JsonPointer">JSON pointer into the document (<c>#/paths/~1orders/get</c>), or empty.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ContractLoadError(string File, int? Line, int? Column, string JsonPointer, string Message)
{
    /// <summary><c>file:line:column: message (at pointer)</c>, the shape compilers and editors understand.</summary>
    public override string ToString()
    {
        var where = Line is { } line ? $"{File}:{line}:{Column ?? 1}" : File;
        var at = string.IsNullOrEmpty(JsonPointer) ? "" : $" (at {JsonPointer})";
        return $"{where}: {Message}{at}";
    }
}

/// <summary>The outcome of loading an OpenAPI document: the document, or the errors that stop it being used.</summary>
/// <param name="Document">The document with its <c>$ref</c>s resolved; <see langword="null"/> when it could not be read at all.</param>
/// <param name="Errors">Every error found; a document with errors is not fit to compare or validate against.</param>
/// <param name="Warnings">Problems that do not stop the document being used.</param>
public sealed record ContractLoadResult(
    OpenApiDocument? Document,
    IReadOnlyList<ContractLoadError> Errors,
    IReadOnlyList<ContractLoadError> Warnings)
{
    /// <summary>True when there is a document and no error.</summary>
    public bool Succeeded => Document is not null && Errors.Count == 0;
}
