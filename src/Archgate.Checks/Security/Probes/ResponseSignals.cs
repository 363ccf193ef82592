using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// What an answer gives away: a database's error text, a stack trace. Patterns of the engines' own messages, run by
/// the non-backtracking engine: linear in the body's length whatever it holds, so no timeout is needed (a wall-clock
/// timeout fails on a busy machine, not on a hostile body).
/// </summary>
internal static partial class ResponseSignals
{
    /// <summary>The database error text in <paramref name="body"/>, or null.</summary>
    public static string? DatabaseError(string body) => DatabaseErrorPattern().Match(body) is { Success: true } m ? m.Value : null;

    /// <summary>The first stack frame or traceback marker in <paramref name="body"/>, or null.</summary>
    public static string? StackTrace(string body) => StackTracePattern().Match(body) is { Success: true } m ? m.Value.Trim() : null;

    /// <summary><paramref name="body"/> with what changes on every answer (times, uuids, trace ids) blanked, for comparing answers.</summary>
    public static string Stable(string body) => Volatile().Replace(body, "#");

    [GeneratedRegex(@"(?i)(SQLite Error \d+[^""\\\r\n]{0,80}|unrecognized token[^""\\\r\n]{0,60}|syntax error at or near[^""\\\r\n]{0,40}|unterminated quoted string[^""\\\r\n]{0,40}|SQLSTATE\[?\w*\]?[^""\\\r\n]{0,60}|Npgsql\.PostgresException[^""\\\r\n]{0,60}|Microsoft\.Data\.Sqlite\.SqliteException[^""\\\r\n]{0,60}|You have an error in your SQL syntax[^""\\\r\n]{0,40}|Unclosed quotation mark[^""\\\r\n]{0,40}|quoted string not properly terminated|ORA-\d{5}[^""\\\r\n]{0,40}|psycopg2\.errors\.\w+|PG::SyntaxError|sqlite3\.OperationalError[^""\\\r\n]{0,40})", RegexOptions.NonBacktracking)]
    private static partial Regex DatabaseErrorPattern();

    [GeneratedRegex(@"((?:^|\\n|\n|\r)\s*at [A-Za-z_$][\w$.`+<>]*\.[\w$`<>]+\([^)\r\n\\]*\)(?: in [^\r\n\\]*:line \d+)?|Traceback \(most recent call last\)|(?:^|\\n|\n)\s*at .{1,120} \((?:/|[A-Za-z]:\\\\)[^)\r\n]+:\d+:\d+\)|Stack trace:(?:\\n|\n)#0 )", RegexOptions.NonBacktracking)]
    private static partial Regex StackTracePattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|00-[0-9a-f]{32}-[0-9a-f]{16}-0\d", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex Volatile();
}
