using System.Buffers;
using System.Globalization;
using System.Text;

namespace Archgate;

/// <summary>
/// Makes text safe to print: control characters (ESC, NUL, BEL, C1, ...) from manifests and targets become
/// visible escapes (<c>\e</c>, <c>\0</c>, <c>\x07</c>), so they can neither drive the terminal nor break an
/// XML report.
/// </summary>
public static class Printable
{
    /// <summary>Every control character (Unicode category Cc).</summary>
    public static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Select(c => (char)c).ToArray());

    private static readonly SearchValues<char> ControlsButLineBreaks = SearchValues.Create(
        Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7f, 0x21)).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c).ToArray());

    /// <summary>The first control character other than tab, line feed and carriage return, or -1.</summary>
    public static int IndexOfControl(string text) => text.AsSpan().IndexOfAny(ControlsButLineBreaks);

    /// <summary>One line: every control character escaped, line breaks and tabs included.</summary>
    public static string Escape(string text) => Escape(text, ControlCharacters);

    /// <summary>Several lines: line feeds and tabs kept, every other control character (carriage return included) escaped.</summary>
    public static string EscapeLines(string text) => Escape(text.Replace("\r\n", "\n", StringComparison.Ordinal), ControlCharacters, keepLines: true);

    /// <summary>What XML 1.0 cannot carry besides control characters: lone surrogates and U+FFFE, U+FFFF.</summary>
    private static readonly SearchValues<char> NotXml = SearchValues.Create(
        Enumerable.Range(0xD800, 0x800).Append(0xFFFE).Append(0xFFFF).Select(c => (char)c).ToArray());

    private static string Escape(string text, SearchValues<char> controls, bool keepLines = false)
    {
        if (text.AsSpan().IndexOfAny(controls) < 0 && text.AsSpan().IndexOfAny(NotXml) < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result.Append(c).Append(text[++i]);
                continue;
            }

            if ((!char.IsControl(c) && !char.IsSurrogate(c) && c is not ('\uFFFE' or '\uFFFF')) || (keepLines && c is '\n' or '\t'))
            {
                result.Append(c);
                continue;
            }

            result.Append(c switch
            {
                '\0' => "\\0",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                '\u001b' => "\\e",
                _ => c < 0x100 ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return result.ToString();
    }
}
