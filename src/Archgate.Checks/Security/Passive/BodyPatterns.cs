using System.Net;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Passive;

/// <summary>What the passive rules look for in a response body: stack traces, error texts, addresses, card numbers.</summary>
internal static partial class BodyPatterns
{
    /// <summary>The first stack trace in <paramref name="body"/> (two or more frames of one language), or null.</summary>
    public static string? StackTrace(string body)
    {
        foreach (var pattern in new[] { DotNetFrame(), JavaFrame(), NodeFrame() })
        {
            var matches = pattern.Matches(body);
            if (matches.Count >= 2)
            {
                return matches[0].Value;
            }
        }

        return OneShotTrace().Match(body) is { Success: true } m ? m.Value : null;
    }

    /// <summary>The first framework or database error text in <paramref name="body"/>, or null.</summary>
    public static string? DebugError(string body)
    {
        if (DebugErrorText().Match(body) is not { Success: true } m)
        {
            return null;
        }

        // node-postgres (and knex over it) writes "error: <the statement> - <the message>": the statement can be long, and
        // the message is what tells the error, so both are shown.
        var sql = m.Groups["sql"];
        return sql.Success ? $"error: {(sql.Length > 60 ? sql.Value[..60] + "..." : sql.Value)} - {m.Groups["message"].Value.TrimEnd()}" : m.Value;
    }

    /// <summary>Private (RFC 1918, link-local) IPv4 addresses in <paramref name="body"/>, except <paramref name="host"/>.</summary>
    public static IEnumerable<string> PrivateIps(string body, string host)
    {
        foreach (Match m in Ipv4().Matches(body))
        {
            if (!IPAddress.TryParse(m.Value, out var ip) || m.Value == host)
            {
                continue;
            }

            var b = ip.GetAddressBytes();
            if (b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254))
            {
                yield return m.Value;
            }
        }
    }

    /// <summary>Card numbers in <paramref name="body"/>: 13-19 digits (spaces or dashes between), a known issuer prefix, Luhn-valid.</summary>
    public static IEnumerable<string> CardNumbers(string body)
    {
        foreach (Match m in CardCandidate().Matches(body))
        {
            var digits = new string(m.Value.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length is >= 13 and <= 19 && KnownIssuer(digits) && Luhn(digits))
            {
                yield return digits;
            }
        }
    }

    /// <summary>E-mail addresses in <paramref name="body"/>, except placeholder domains (RFC 2606 and RFC 6761 names).</summary>
    public static IEnumerable<string> Emails(string body)
    {
        foreach (Match m in Email().Matches(body))
        {
            var domain = m.Groups["domain"].Value.ToLowerInvariant();
            var placeholder = domain is "example.com" or "example.org" or "example.net" or "localhost"
                || domain.EndsWith(".example", StringComparison.Ordinal) || domain.EndsWith(".test", StringComparison.Ordinal)
                || domain.EndsWith(".invalid", StringComparison.Ordinal) || domain.EndsWith(".localhost", StringComparison.Ordinal)
                || domain.EndsWith(".example.com", StringComparison.Ordinal) || domain.EndsWith(".local", StringComparison.Ordinal);
            if (!placeholder)
            {
                yield return m.Value;
            }
        }
    }

    /// <summary>The Luhn check digit test.</summary>
    public static bool Luhn(string digits)
    {
        var sum = 0;
        var doubled = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    /// <summary>A card number masked to its last four digits.</summary>
    public static string MaskCard(string digits) => new string('*', digits.Length - 4) + digits[^4..];

    private static bool KnownIssuer(string d)
    {
        int Prefix(int n) => int.Parse(d.AsSpan(0, n), System.Globalization.CultureInfo.InvariantCulture);
        return (d[0] == '4' && d.Length is 13 or 16 or 19)                                        // Visa
            || (d.Length == 16 && (Prefix(2) is >= 51 and <= 55 || Prefix(4) is >= 2221 and <= 2720)) // Mastercard
            || (d.Length == 15 && Prefix(2) is 34 or 37)                                           // American Express
            || (d.Length >= 16 && (d.StartsWith("6011", StringComparison.Ordinal) || d.StartsWith("65", StringComparison.Ordinal))) // Discover
            || (d.Length == 14 && (Prefix(3) is >= 300 and <= 305 || Prefix(2) is 36 or 38))       // Diners Club
            || (d.Length == 16 && Prefix(4) is >= 3528 and <= 3589);                               // JCB
    }

    // "   at Namespace.Type.Method(args) in /path/File.cs:line 12"
    [GeneratedRegex(@"\bat (?:[\w`<>\[\]$|]+\.)+[\w`<>\[\]$|]+\([^()\r\n]*\)(?: in [^\r\n""]+:line \d+)?")]
    private static partial Regex DotNetFrame();

    // "at com.example.Type.method(Type.java:42)" or "(Native Method)"
    [GeneratedRegex(@"\bat (?:[\w$]+\.)+[\w$<>]+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)")]
    private static partial Regex JavaFrame();

    // "at handler (/srv/app/index.js:10:5)" or "at /srv/app/index.js:10:5"
    [GeneratedRegex(@"\bat (?:[\w.<>$ \[\]]+ )?\(?(?:/|[A-Za-z]:\\|file://|node:)[^\s()""]+:\d+:\d+\)?")]
    private static partial Regex NodeFrame();

    [GeneratedRegex(@"Traceback \(most recent call last\):|--- End of (?:inner exception )?stack trace|Exception in thread ""[^""]*"" [\w.$]+|goroutine \d+ \[running\]:|Stack trace:\s*(?:\\n|\r?\n)?#0 |\.rb:\d+:in `|(?:Fatal|Parse) error: .{0,200} on line \d+")]
    private static partial Regex OneShotTrace();

    // PostgreSQL's own message texts (any driver passes them through: Npgsql, JDBC, psycopg, node-postgres, postgres.js;
    // in a JSON body their quotes are escaped, \"), the drivers' error types, node-postgres' "error: <sql> - <message>"
    // (the statement must show a quoted identifier or a $n parameter, so a sentence that begins "error: select" is no hit),
    // and an error object node-postgres serialized whole (its severity next to a five-character SQLSTATE).
    // Non-backtracking: linear in the body's length whatever a hostile body holds.
    [GeneratedRegex(@"error: (?<sql>(?:select|insert|update|delete|with|SELECT|INSERT|UPDATE|DELETE|WITH)\s[^\r\n]*?(?:\\?""[\w$]+\\?""|\$\d)[^\r\n]*?) - (?<message>[a-z][^\r\n""\\]{0,120})|invalid input syntax for (?:type )?[a-z]+|duplicate key value violates unique constraint|violates (?:foreign key|not-null|check) constraint|relation \\?""[^""\\\r\n]{1,128}\\?"" does not exist|column \\?""[^""\\\r\n]{1,128}\\?"" (?:of relation \\?""[^""\\\r\n]{1,128}\\?"" )?does not exist|value too long for type character varying|current transaction is aborted, commands ignored|""severity""\s*:\s*""(?:ERROR|FATAL|PANIC)""\s*,\s*""code""\s*:\s*""[0-9A-Z]{5}""|DatabaseError: |PostgresError: |pg-protocol[/\\]dist|SQLite Error \d+|SQLITE_ERROR|SqliteException|Npgsql\.PostgresException|PSQLException|org\.postgresql\.util|syntax error at or near ""|unterminated quoted string at or near|You have an error in your SQL syntax|ORA-\d{5}|Microsoft OLE DB Provider|Unclosed quotation mark after the character string|SQLSTATE\[\w+\]|System\.Data\.SqlClient\.SqlException|Microsoft\.Data\.SqlClient\.SqlException|An unhandled exception occurred while processing the request|Server Error in '[^']*' Application|Werkzeug Debugger|Whitelabel Error Page|DEBUG = True|Django Version:|\b(?:System|Microsoft)\.(?:[A-Z]\w+\.)*[A-Z]\w*Exception\b|\bjava\.(?:lang|io|sql|util)\.[A-Z]\w*(?:Exception|Error)\b", RegexOptions.NonBacktracking)]
    private static partial Regex DebugErrorText();

    [GeneratedRegex(@"(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.]*\d)")]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")]
    private static partial Regex CardCandidate();

    [GeneratedRegex(@"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})\b")]
    private static partial Regex Email();
}
