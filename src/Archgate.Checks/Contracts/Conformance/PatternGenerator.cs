using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Strings that match a JSON Schema <c>pattern</c> (an ECMA-262 regular expression), so that a request meant to
/// be valid is valid. The common subset is generated: literals and escapes (<c>\d \w \s</c> and their
/// negations, <c>\t \n \xHH \uHHHH</c>, escaped punctuation), classes with ranges and negation, <c>.</c>,
/// groups (capturing, non-capturing, named), alternation, quantifiers (<c>? * + {n} {n,} {n,m}</c>, lazy or
/// possessive) and anchors (<c>^ $ \b \B</c>). Lookarounds, backreferences and inline flags are not: the caller
/// gets null and falls back. Every string returned has been checked against the pattern with .NET's engine.
/// </summary>
internal static class PatternGenerator
{
    /// <summary>How much an unbounded quantifier may grow to reach a length.</summary>
    private const int MaxGrowth = 64;

    // Letters and digits first: a value that is also a plain word is the least likely to upset a server.
    private const string Preferred = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.";

    private static readonly int[] TypicalFirst = [1, 0];

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A string of length <paramref name="minLength"/>..<paramref name="maxLength"/> that matches
    /// <paramref name="pattern"/>: as short as it can be for <see cref="ValueKind.Minimum"/>, as long as allowed
    /// (within <paramref name="longest"/>) for <see cref="ValueKind.Maximum"/>, a typical one otherwise; or
    /// null when the pattern uses what is not generated, or no string within the lengths was found.
    /// </summary>
    public static string? Generate(string pattern, ValueKind kind, int minLength = 0, int? maxLength = null, int longest = 256)
    {
        Node tree;
        try
        {
            var parser = new Parser(pattern);
            tree = parser.ParseAll();
        }
        catch (NotSupportedException)
        {
            return null;
        }

        var upper = Math.Min(maxLength ?? longest, longest);
        var growths = kind switch
        {
            ValueKind.Minimum => Enumerable.Range(0, MaxGrowth + 1),
            ValueKind.Maximum => Enumerable.Range(0, MaxGrowth + 1).Reverse(),
            _ => TypicalFirst.Concat(Enumerable.Range(2, MaxGrowth - 1)),
        };
        foreach (var growth in growths)
        {
            var text = new StringBuilder();
            if (!tree.Emit(text, growth, kind == ValueKind.Maximum, upper))
            {
                continue;
            }

            if (text.Length >= minLength && text.Length <= upper && Matches(pattern, text.ToString()))
            {
                return text.ToString();
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="value"/> matches <paramref name="pattern"/> anywhere (JSON Schema semantics); true when .NET cannot read the pattern.</summary>
    public static bool Matches(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, pattern, RegexOptions.None, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private abstract class Node
    {
        /// <summary>Appends a match; false when none fits in <paramref name="room"/> characters.</summary>
        public abstract bool Emit(StringBuilder text, int growth, bool longest, int room);
    }

    private sealed class Empty : Node
    {
        public override bool Emit(StringBuilder text, int growth, bool longest, int room) => true;
    }

    private sealed class Alternation(List<Node> options) : Node
    {
        public override bool Emit(StringBuilder text, int growth, bool longest, int room)
        {
            var start = text.Length;
            foreach (var option in options)
            {
                if (option.Emit(text, growth, longest, room))
                {
                    return true;
                }

                text.Length = start;
            }

            return false;
        }
    }

    private sealed class Sequence(List<Node> items) : Node
    {
        public override bool Emit(StringBuilder text, int growth, bool longest, int room)
        {
            var start = text.Length;
            foreach (var item in items)
            {
                if (!item.Emit(text, growth, longest, room - (text.Length - start)))
                {
                    return false;
                }
            }

            return text.Length - start <= room;
        }
    }

    private sealed class Repeat(Node atom, int min, int? max) : Node
    {
        public override bool Emit(StringBuilder text, int growth, bool longest, int room)
        {
            var count = max is { } m ? Math.Min(m, longest ? m : min + growth) : min + growth;
            if (max is null && min == 0 && growth == 0)
            {
                count = 0;
            }

            var start = text.Length;
            for (var i = 0; i < count; i++)
            {
                var before = text.Length;
                if (!atom.Emit(text, growth, longest, room - (text.Length - start)) || text.Length - start > room)
                {
                    text.Length = before;
                    return i >= min;
                }
            }

            return true;
        }
    }

    private sealed class CharSet(List<(char Lo, char Hi)> ranges, bool negated) : Node
    {
        public bool Contains(char c) => ranges.Any(r => c >= r.Lo && c <= r.Hi) != negated;

        public override bool Emit(StringBuilder text, int growth, bool longest, int room)
        {
            if (room < 1)
            {
                return false;
            }

            foreach (var c in Preferred)
            {
                if (Contains(c))
                {
                    text.Append(c);
                    return true;
                }
            }

            for (var c = ' '; c < char.MaxValue; c++)
            {
                if (Contains(c) && !char.IsSurrogate(c) && !char.IsControl(c))
                {
                    text.Append(c);
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class Parser(string pattern)
    {
        private int _at;

        public Node ParseAll()
        {
            var node = ParseAlternation();
            if (_at < pattern.Length)
            {
                throw new NotSupportedException($"unbalanced ')' at {_at}");
            }

            return node;
        }

        private char? Peek => _at < pattern.Length ? pattern[_at] : null;

        private Node ParseAlternation()
        {
            var options = new List<Node> { ParseSequence() };
            while (Peek == '|')
            {
                _at++;
                options.Add(ParseSequence());
            }

            return options.Count == 1 ? options[0] : new Alternation(options);
        }

        private Sequence ParseSequence()
        {
            var items = new List<Node>();
            while (Peek is { } c && c != '|' && c != ')')
            {
                var atom = ParseAtom();
                items.Add(ParseQuantifier(atom));
            }

            return new Sequence(items);
        }

        private Node ParseQuantifier(Node atom)
        {
            (int Min, int? Max)? bounds = Peek switch
            {
                '*' => (0, null),
                '+' => (1, null),
                '?' => (0, 1),
                '{' => Braces(),
                _ => null,
            };
            if (bounds is null)
            {
                return atom;
            }

            _at++; // the quantifier's last character: '*', '+', '?' or the closing brace

            if (Peek is '?' or '+')
            {
                _at++; // lazy or possessive: the same strings match
            }

            return new Repeat(atom, bounds.Value.Min, bounds.Value.Max);
        }

        /// <summary><c>{n}</c>, <c>{n,}</c>, <c>{n,m}</c> (consumed but the last brace), or null for a literal brace.</summary>
        private (int, int?)? Braces()
        {
            var close = pattern.IndexOf('}', _at);
            if (close < 0)
            {
                return null;
            }

            var inside = pattern[(_at + 1)..close].Split(',');
            if (inside.Length is < 1 or > 2 || !int.TryParse(inside[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min))
            {
                return null;
            }

            int? max = min;
            if (inside.Length == 2)
            {
                max = inside[1].Length == 0 ? null
                    : int.TryParse(inside[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : throw new NotSupportedException("bad quantifier");
            }

            _at = close; // the caller steps over the '}' as over '*'
            return (min, max);
        }

        private Node ParseAtom()
        {
            var c = pattern[_at++];
            switch (c)
            {
                case '(':
                    Group();
                    var inner = ParseAlternation();
                    if (Peek != ')')
                    {
                        throw new NotSupportedException("unclosed group");
                    }

                    _at++;
                    return inner;
                case '[':
                    return Class();
                case '.':
                    return new CharSet([('\n', '\n'), ('\r', '\r')], negated: true);
                case '^' or '$':
                    return new Empty();
                case '\\':
                    return (Node?)Escape(inClass: false) ?? new Empty();
                case '*' or '+' or '?':
                    throw new NotSupportedException("quantifier without an atom");
                default:
                    return Literal(c);
            }
        }

        /// <summary>Steps over a group's prefix: <c>?:</c>, <c>?&lt;name&gt;</c>, <c>?P&lt;name&gt;</c>; lookarounds and flags are not generated.</summary>
        private void Group()
        {
            if (Peek != '?')
            {
                return;
            }

            var rest = pattern[_at..];
            if (rest.StartsWith("?:", StringComparison.Ordinal))
            {
                _at += 2;
            }
            else if ((rest.StartsWith("?<", StringComparison.Ordinal) || rest.StartsWith("?P<", StringComparison.Ordinal) || rest.StartsWith("?'", StringComparison.Ordinal))
                     && !rest.StartsWith("?<=", StringComparison.Ordinal) && !rest.StartsWith("?<!", StringComparison.Ordinal))
            {
                var close = pattern.IndexOfAny(['>', '\''], _at + 2);
                _at = close < 0 ? throw new NotSupportedException("unclosed group name") : close + 1;
            }
            else
            {
                throw new NotSupportedException("lookaround or inline flags");
            }
        }

        private CharSet Class()
        {
            var negated = Peek == '^';
            if (negated)
            {
                _at++;
            }

            var ranges = new List<(char, char)>();
            while (Peek is { } c && c != ']')
            {
                char lo;
                _at++;
                if (c == '\\')
                {
                    var set = Escape(inClass: true);
                    if (set is null)
                    {
                        continue;
                    }

                    if (set.Single is not { } single)
                    {
                        ranges.AddRange(set.Expand());
                        continue;
                    }

                    lo = single;
                }
                else
                {
                    lo = c;
                }

                if (Peek == '-' && _at + 1 < pattern.Length && pattern[_at + 1] != ']')
                {
                    _at++;
                    var hiChar = pattern[_at++];
                    var hi = hiChar == '\\' ? Escape(inClass: true)?.Single ?? throw new NotSupportedException("class range to a class") : hiChar;
                    ranges.Add((lo, hi));
                }
                else
                {
                    ranges.Add((lo, lo));
                }
            }

            if (Peek != ']')
            {
                throw new NotSupportedException("unclosed class");
            }

            _at++;
            return new CharSet(ranges, negated);
        }

        /// <summary>After a backslash: a set (<c>\d</c>), one character, or null for an assertion (<c>\b</c>).</summary>
        private EscapeResult? Escape(bool inClass)
        {
            if (Peek is not { } c)
            {
                throw new NotSupportedException("trailing backslash");
            }

            _at++;
            switch (c)
            {
                case 'd': return EscapeResult.Of(Digits, false);
                case 'D': return EscapeResult.Of(Digits, true);
                case 'w': return EscapeResult.Of(Word, false);
                case 'W': return EscapeResult.Of(Word, true);
                case 's': return EscapeResult.Of(Space, false);
                case 'S': return EscapeResult.Of(Space, true);
                case 'b' when inClass: return EscapeResult.Char('\b');
                case 'b' or 'B' or 'A' or 'Z' or 'z' or 'G': return null;
                case 't': return EscapeResult.Char('\t');
                case 'n': return EscapeResult.Char('\n');
                case 'r': return EscapeResult.Char('\r');
                case 'f': return EscapeResult.Char('\f');
                case 'v': return EscapeResult.Char('\v');
                case '0': return EscapeResult.Char('\0');
                case 'x': return EscapeResult.Char(Hex(2));
                case 'u' when Peek == '{':
                    var close = pattern.IndexOf('}', _at);
                    var code = close < 0 ? throw new NotSupportedException("bad \\u{}") : int.Parse(pattern[(_at + 1)..close], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    _at = close + 1;
                    return code > char.MaxValue ? throw new NotSupportedException("astral code point") : EscapeResult.Char((char)code);
                case 'u': return EscapeResult.Char(Hex(4));
                case 'p' or 'P':
                    // \p{L}, \p{N}...: approximated by ASCII letters or digits, checked against .NET afterwards.
                    var end = pattern.IndexOf('}', _at);
                    var name = end < 0 ? "" : pattern[(_at + 1)..end];
                    _at = end < 0 ? _at : end + 1;
                    var set = name.StartsWith('N') ? Digits : name.StartsWith('L') ? Letters : Word;
                    return EscapeResult.Of(set, c == 'P');
                case >= '1' and <= '9' when !inClass:
                    throw new NotSupportedException("backreference");
                case 'k' when !inClass:
                    throw new NotSupportedException("named backreference");
                case 'c' when Peek is { } control && char.IsAsciiLetter(control):
                    _at++;
                    return EscapeResult.Char((char)(control % 32));
                default:
                    return EscapeResult.Char(c);
            }
        }

        private char Hex(int digits)
        {
            if (_at + digits > pattern.Length
                || !int.TryParse(pattern.AsSpan(_at, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                throw new NotSupportedException("bad hex escape");
            }

            _at += digits;
            return (char)code;
        }

        private static CharSet Literal(char c) => new CharSet([(c, c)], negated: false);
    }

    private static readonly (char, char)[] Digits = [('0', '9')];
    private static readonly (char, char)[] Letters = [('a', 'z'), ('A', 'Z')];
    private static readonly (char, char)[] Word = [('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    private static readonly (char, char)[] Space = [(' ', ' '), ('\t', '\r')];

    /// <summary>An escape: a set of ranges (maybe negated), or one character.</summary>
    private sealed class EscapeResult : Node
    {
        private (char, char)[] _ranges = [];
        private bool _negated;

        public char? Single { get; private init; }

        public static EscapeResult Of((char, char)[] ranges, bool negated) => new() { _ranges = ranges, _negated = negated };

        public static EscapeResult Char(char c) => new() { Single = c, _ranges = [(c, c)] };

        /// <summary>The ranges as positive ranges over the printable ASCII range when negated.</summary>
        public IEnumerable<(char, char)> Expand()
        {
            if (!_negated)
            {
                return _ranges;
            }

            var result = new List<(char, char)>();
            for (var c = ' '; c <= '~'; c++)
            {
                if (!_ranges.Any(r => c >= r.Item1 && c <= r.Item2))
                {
                    result.Add((c, c));
                }
            }

            return result;
        }

        public override bool Emit(StringBuilder text, int growth, bool longest, int room) =>
            new CharSet([.. _ranges], _negated).Emit(text, growth, longest, room);
    }
}
