using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// What kind of body a content type names (JSON, XML, text, binary), what bytes look like (magic numbers,
/// for the contentType matcher), and how a body is shown without quoting raw bytes.
/// </summary>
internal static class BodyKinds
{
    private const int PreviewBytes = 16;

    /// <summary>The media type without parameters, lower case; null for none.</summary>
    public static string? Media(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) ? null : contentType.Split(';')[0].Trim().ToLowerInvariant();

    /// <summary>XML: <c>application/xml</c>, <c>text/xml</c>, <c>application/*+xml</c>.</summary>
    public static bool IsXml(string? contentType) => Media(contentType) is { } media && (media is "application/xml" or "text/xml" || media.EndsWith("+xml", StringComparison.Ordinal));

    /// <summary>Text compared as text: <c>text/*</c>, forms, JavaScript, and anything JSON or XML.</summary>
    public static bool IsText(string? contentType) => Media(contentType) is { } media
        && (media.StartsWith("text/", StringComparison.Ordinal) || media is "application/x-www-form-urlencoded" or "application/javascript"
            or "application/graphql" or "application/yaml" or "application/x-yaml"
            || PactReader.IsJson(media) || IsXml(media));

    /// <summary>A content type whose bodies are bytes (images, octet-stream, PDF...), not text.</summary>
    public static bool IsBinary(string? contentType) => Media(contentType) is { } media && !IsText(media) && !media.StartsWith("multipart/", StringComparison.Ordinal);

    /// <summary>Whether the bytes read as UTF-8 text without control characters other than whitespace.</summary>
    public static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var text = new UTF8Encoding(false, true).GetString(bytes);
            return !text.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>
    /// A body for a finding: <c>65536 bytes, SHA-256 1f2e…, starting with ffd8ffe000104a46…</c>; never the raw bytes.
    /// </summary>
    public static string Summary(ReadOnlySpan<byte> bytes)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var preview = Convert.ToHexStringLower(bytes[..Math.Min(bytes.Length, PreviewBytes)]);
        return $"{bytes.Length} bytes, SHA-256 {hash}, starting with {preview}{(bytes.Length > PreviewBytes ? "…" : string.Empty)}";
    }

    /// <summary>Magic numbers: the content type, where the bytes start, the bytes, and (RIFF) the form type at offset 8.</summary>
    private static readonly (string Type, int Offset, byte[] Magic, byte[]? Also)[] Magic =
    [
        ("image/png", 0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], null),
        ("image/jpeg", 0, [0xFF, 0xD8, 0xFF], null),
        ("image/gif", 0, "GIF87a"u8.ToArray(), null),
        ("image/gif", 0, "GIF89a"u8.ToArray(), null),
        ("image/webp", 0, "RIFF"u8.ToArray(), "WEBP"u8.ToArray()),
        ("audio/x-wav", 0, "RIFF"u8.ToArray(), "WAVE"u8.ToArray()),
        ("image/tiff", 0, [0x49, 0x49, 0x2A, 0x00], null),
        ("image/tiff", 0, [0x4D, 0x4D, 0x00, 0x2A], null),
        ("image/vnd.microsoft.icon", 0, [0x00, 0x00, 0x01, 0x00], null),
        ("application/pdf", 0, "%PDF-"u8.ToArray(), null),
        ("application/zip", 0, [0x50, 0x4B, 0x03, 0x04], null),
        ("application/gzip", 0, [0x1F, 0x8B], null),
        ("application/wasm", 0, [0x00, 0x61, 0x73, 0x6D], null),
        ("audio/mpeg", 0, "ID3"u8.ToArray(), null),
        ("audio/ogg", 0, "OggS"u8.ToArray(), null),
        ("video/mp4", 4, "ftyp"u8.ToArray(), null),
        ("image/bmp", 0, "BM"u8.ToArray(), null),
    ];

    /// <summary>The content type the bytes show by their magic numbers, or by being JSON, XML or text; octet-stream otherwise.</summary>
    public static string Sniff(ReadOnlySpan<byte> data)
    {
        foreach (var (type, offset, magic, also) in Magic)
        {
            if (data.Length >= offset + magic.Length && data.Slice(offset, magic.Length).SequenceEqual(magic)
                && (also is null || (data.Length >= 12 && data.Slice(8, 4).SequenceEqual(also)))
                && (type != "image/bmp" || !LooksLikeText(data)))
            {
                return type;
            }
        }

        if (!LooksLikeText(data))
        {
            return "application/octet-stream";
        }

        var text = Encoding.UTF8.GetString(data).TrimStart('\uFEFF').TrimStart();
        if (text.StartsWith("<?xml", StringComparison.Ordinal))
        {
            return "application/xml";
        }

        if (text.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<html", StringComparison.OrdinalIgnoreCase))
        {
            return "text/html";
        }

        if (text.Length > 0 && text[0] is '{' or '[' && IsJsonText(text))
        {
            return "application/json";
        }

        return "text/plain";
    }

    private static bool IsJsonText(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
