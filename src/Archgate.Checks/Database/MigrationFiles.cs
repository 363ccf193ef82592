using System.Text.RegularExpressions;

namespace Archgate.Checks.Database;

/// <summary>
/// The migrations a folder ships, as its tool would run them forward: undo files and what merely sits next to the
/// migrations are left out, and the order is by version, because a name order puts <c>V10__</c> before <c>V9__</c>.
/// </summary>
internal static partial class MigrationFiles
{
    /// <summary>
    /// Files that live in a migrations folder but are not migrations: Python packages' <c>__init__.py</c>, Prisma's lock
    /// file, EF Core's designer files and model snapshot, and documentation.
    /// </summary>
    private static bool IsNoMigration(string name) =>
        name.StartsWith('.') || name.StartsWith("__", StringComparison.Ordinal)
        || name.Equals("migration_lock.toml", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith(".Designer.cs", StringComparison.OrdinalIgnoreCase) || name.EndsWith("ModelSnapshot.cs", StringComparison.OrdinalIgnoreCase)
        || Path.GetExtension(name).ToUpperInvariant() is ".MD" or ".TXT" or ".PYC";

    /// <summary>
    /// True for a file that takes a migration back (golang-migrate's and sqlx's <c>.down.sql</c>, db-migrate's <c>-down.sql</c>,
    /// Flyway's undo <c>U2__x.sql</c>): no tool runs one going forward, so it is never pending.
    /// </summary>
    public static bool IsUndo(string name) => UndoPattern().IsMatch(name);

    /// <summary>
    /// Flyway's repeatable migrations (<c>R__views.sql</c>) have no version and run again whenever they change; the
    /// history records them without one, so they are neither the latest nor pending.
    /// </summary>
    private static bool IsRepeatable(string name) => name.StartsWith("R__", StringComparison.Ordinal);

    /// <summary>
    /// The version a migration's name starts with (<c>000006</c> of <c>000006_librarians.up.sql</c>, <c>1.2</c> of Flyway's
    /// <c>V1_2__x.sql</c>, a Rails timestamp, Doctrine's <c>Version2024…</c>), or null when it has none.
    /// </summary>
    public static string? Version(string name)
    {
        var match = VersionPattern().Match(name);
        return match.Success ? match.Groups["v"].Value.Replace('_', '.') : null;
    }

    /// <summary>Versions compared part by part as numbers of any length (<c>000006</c> = <c>6</c>, <c>1.10</c> &gt; <c>1.9</c>); missing parts are 0.</summary>
    public static int CompareVersions(string a, string b)
    {
        var x = a.Split('.', '_');
        var y = b.Split('.', '_');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i].TrimStart('0') : string.Empty;
            var q = i < y.Length ? y[i].TrimStart('0') : string.Empty;
            var order = p.Length != q.Length ? p.Length.CompareTo(q.Length) : string.CompareOrdinal(p, q);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    /// <summary>True when both names carry a version and the versions are equal.</summary>
    public static bool SameVersion(string? version, string name) =>
        version is not null && Version(name) is { } other && CompareVersions(version, other) == 0;

    /// <summary>
    /// The migrations in <paramref name="folder"/> in the order they run: files, and Prisma's migration folders (a folder
    /// holding a <c>migration.sql</c>). Versioned names by version, the rest after them by name.
    /// </summary>
    public static List<string> Forward(string folder)
    {
        var prisma = Directory.EnumerateDirectories(folder).Where(d => File.Exists(Path.Combine(d, "migration.sql")));
        return Directory.EnumerateFiles(folder).Concat(prisma)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !IsNoMigration(name) && !IsUndo(name) && !IsRepeatable(name))
            .Order(Comparer<string>.Create(CompareNames))
            .ToList();
    }

    private static int CompareNames(string? a, string? b)
    {
        var (x, y) = (Version(a ?? string.Empty), Version(b ?? string.Empty));
        var order = (x, y) switch
        {
            (not null, not null) => CompareVersions(x, y),
            (not null, null) => -1,
            (null, not null) => 1,
            _ => 0,
        };
        return order != 0 ? order : string.CompareOrdinal(a, b);
    }

    /// <summary>
    /// Alembic's revision chain in a <c>versions</c> folder: each script names its <c>revision</c> and its
    /// <c>down_revision</c>(s). Its table keeps only the head the database is at, and revision ids are hashes, so neither the
    /// table nor a name order says which scripts ran: the chain does. Empty when the folder holds no Alembic scripts.
    /// </summary>
    public static List<(string Revision, string File, IReadOnlyList<string> Parents)> AlembicChain(string folder)
    {
        var scripts = new List<(string Revision, string File, IReadOnlyList<string> Parents)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.py"))
        {
            var text = File.ReadAllText(path);
            if (AlembicRevision().Match(text) is { Success: true } revision)
            {
                var down = AlembicDownRevision().Match(text);
                var parents = down.Success
                    ? QuotedText().Matches(down.Groups["value"].Value).Select(m => m.Groups["text"].Value).ToList()
                    : [];
                scripts.Add((revision.Groups["id"].Value, Path.GetFileName(path), parents));
            }
        }

        // Parents first: a script's depth is the longest way down to a base, so the order is the order of an upgrade.
        var byRevision = scripts.GroupBy(s => s.Revision).ToDictionary(g => g.Key, g => g.First());
        var depth = new Dictionary<string, int>();
        int Depth(string revision, int guard) =>
            depth.TryGetValue(revision, out var known) ? known
            : depth[revision] = guard > byRevision.Count || !byRevision.TryGetValue(revision, out var script) || script.Parents.Count == 0
                ? 0
                : 1 + script.Parents.Max(p => Depth(p, guard + 1));
        return [.. scripts.OrderBy(s => Depth(s.Revision, 0)).ThenBy(s => s.File, StringComparer.Ordinal)];
    }

    /// <summary>Every revision at or below <paramref name="heads"/> in <paramref name="chain"/>: what an Alembic database at those heads has run.</summary>
    public static HashSet<string> AlembicAncestors(IEnumerable<string> heads, IReadOnlyList<(string Revision, string File, IReadOnlyList<string> Parents)> chain)
    {
        var parents = chain.GroupBy(s => s.Revision).ToDictionary(g => g.Key, g => g.First().Parents);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(heads);
        while (stack.TryPop(out var revision))
        {
            if (seen.Add(revision) && parents.TryGetValue(revision, out var up))
            {
                foreach (var parent in up)
                {
                    stack.Push(parent);
                }
            }
        }

        return seen;
    }

    [GeneratedRegex(@"(^U\d[\d._]*__)|([._-](down|undo|rollback)\.[^.]+$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UndoPattern();

    [GeneratedRegex(@"^(V|Version)?(?<v>\d+(?:[._]\d+)*)(?=__|[_.\-]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^revision\s*(?::[^=\n]*)?=\s*['""](?<id>[^'""]+)['""]", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AlembicRevision();

    [GeneratedRegex(@"^down_revision\s*(?::[^=\n]*)?=\s*(?<value>.*)$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AlembicDownRevision();

    [GeneratedRegex(@"['""](?<text>[^'""]+)['""]", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedText();
}
