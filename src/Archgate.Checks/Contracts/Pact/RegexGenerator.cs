using System.Text;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Makes a string that a regular expression matches in full, for the Regex generator: literals, classes
/// (<c>[a-f0-9]</c>, <c>\d</c>, <c>\w</c>, <c>\s</c>, <c>.</c>), groups with alternatives and the
/// quantifiers <c>? * + {n} {n,} {n,m}</c>. Null when the pattern uses more than that (the example stays).
/// </summary>
internal static class RegexGenerator
{
    private const string Digits = "0123456789";
    private const string Word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

    /// <summary>A full match of <paramref name="pattern"/>, checked with .NET's regex engine; null when none was made.</summary>
    public static string? Generate(string pattern, Random random)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var parser = new Parser(pattern, random);
            string? made;
            try
            {
                made = parser.Alternatives();
            }
            catch (FormatException)
            {
                return null;
            }

            if (parser.AtEnd && made is not null && ValueMatching.FullMatch(pattern, made))
            {
                return made;
            }
        }

        return null;
    }

    private sealed class Parser(string pattern, Random random)
    {
        private int _at;

        public bool AtEnd => _at >= pattern.Length;

        /// <summary>alternative ('|' alternative)*: picks one.</summary>
        public string Alternatives()
        {
            var options = new List<string> { Sequence() };
            while (!AtEnd && pattern[_at] == '|')
            {
                _at++;
                options.Add(Sequence());
            }

            return options[random.Next(options.Count)];
        }

        private string Sequence()
        {
            var text = new StringBuilder();
            while (!AtEnd && pattern[_at] is not ('|' or ')'))
            {
                if (pattern[_at] is '^' or '$')
                {
                    _at++;
                    continue;
                }

                var atom = Atom();
                var (min, max) = Quantifier();
                var count = min + random.Next(max - min + 1);
                for (var i = 0; i < count; i++)
                {
                    text.Append(atom());
                }
            }

            return text.ToString();
        }

        private Func<string> Atom()
        {
            var c = pattern[_at++];
            switch (c)
            {
                case '(':
                    if (pattern.AsSpan(_at).StartsWith("?:"))
                    {
                        _at += 2;
                    }
                    else if (!AtEnd && pattern[_at] == '?')
                    {
                        throw new FormatException("lookaround or named group");
                    }

                    var start = _at;
                    Alternatives();
                    Expect(')');
                    var end = _at - 1;
                    var inner = pattern[start..end];
                    return () => new Parser(inner, random).Alternatives();
                case '[':
                    var set = CharClass();
                    return () => set[random.Next(set.Length)].ToString();
                case '.':
                    return () => Word[random.Next(Word.Length)].ToString();
                case '\\':
                    var escaped = Escape();
                    return () => escaped[random.Next(escaped.Length)].ToString();
                case '*' or '+' or '?' or '{':
                    throw new FormatException("quantifier without an atom");
                default:
                    return () => c.ToString();
            }
        }

        private string Escape()
        {
            if (AtEnd)
            {
                throw new FormatException("trailing backslash");
            }

            var c = pattern[_at++];
            return c switch
            {
                'd' => Digits,
                'w' => Word,
                's' => " ",
                'D' => "abcXYZ-",
                'W' => "-+. ",
                'S' => Word,
                'n' => "\n",
                't' => "\t",
                'b' or 'B' or 'A' or 'z' or 'Z' or 'p' or 'P' or 'k' or 'u' or 'x' => throw new FormatException($"\\{c}"),
                _ when char.IsAsciiDigit(c) => throw new FormatException("back reference"),
                _ => c.ToString(),
            };
        }

        private string CharClass()
        {
            var negated = !AtEnd && pattern[_at] == '^';
            if (negated)
            {
                _at++;
            }

            var chars = new StringBuilder();
            var first = true;
            while (!AtEnd && (pattern[_at] != ']' || first))
            {
                first = false;
                var c = pattern[_at++];
                string from;
                if (c == '\\')
                {
                    from = Escape();
                }
                else
                {
                    from = c.ToString();
                }

                if (from.Length == 1 && _at + 1 < pattern.Length && pattern[_at] == '-' && pattern[_at + 1] != ']')
                {
                    _at++;
                    var to = pattern[_at++];
                    if (to == '\\')
                    {
                        to = Escape()[0];
                    }

                    for (var x = from[0]; x <= to; x++)
                    {
                        chars.Append(x);
                    }
                }
                else
                {
                    chars.Append(from);
                }
            }

            Expect(']');
            if (!negated)
            {
                return chars.Length == 0 ? throw new FormatException("empty class") : chars.ToString();
            }

            var excluded = chars.ToString();
            var allowed = string.Concat(Word.Where(w => !excluded.Contains(w, StringComparison.Ordinal)));
            return allowed.Length == 0 ? throw new FormatException("empty class") : allowed;
        }

        private (int Min, int Max) Quantifier()
        {
            if (AtEnd)
            {
                return (1, 1);
            }

            (int, int) result;
            switch (pattern[_at])
            {
                case '?':
                    _at++;
                    result = (0, 1);
                    break;
                case '*':
                    _at++;
                    result = (0, 3);
                    break;
                case '+':
                    _at++;
                    result = (1, 4);
                    break;
                case '{' when Regex.Match(pattern[_at..], @"^\{(\d+)(,(\d*))?\}") is { Success: true } m:
                    _at += m.Length;
                    var min = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    var max = !m.Groups[2].Success ? min
                        : m.Groups[3].Value.Length == 0 ? min + 3
                        : int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture);
                    result = (min, Math.Max(min, max));
                    break;
                default:
                    return (1, 1);
            }

            if (!AtEnd && pattern[_at] is '?' or '+')
            {
                _at++; // lazy or possessive: the same strings
            }

            return result;
        }

        private void Expect(char c)
        {
            if (AtEnd || pattern[_at] != c)
            {
                throw new FormatException($"expected '{c}'");
            }

            _at++;
        }
    }
}
