using System.Diagnostics;
using System.Text.Json;

namespace Archgate.Checks.Security.Audit;

/// <summary>One installed package: ecosystem (<c>npm</c>, <c>NuGet</c>, <c>PyPI</c>), name, exact version, and the file that names it.</summary>
internal sealed record InstalledPackage(string Ecosystem, string Name, string Version, string Source);

/// <summary>
/// What the audit reads: npm lockfiles (v1-v3), Python lockfiles and pinned requirements, go.sum, Cargo.lock,
/// Gemfile.lock, pom.xml and gradle.lockfile, composer.lock, .NET projects through <c>dotnet list package</c>.
/// </summary>
internal static partial class Inventory
{
    /// <summary>Every package of an npm lockfile: <c>packages</c> (v2, v3) or the nested <c>dependencies</c> (v1).</summary>
    public static IReadOnlyList<InstalledPackage> Npm(string lockfile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(lockfile));
        var result = new List<InstalledPackage>();
        var root = document.RootElement;
        if (root.TryGetProperty("packages", out var packages) && packages.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in packages.EnumerateObject().Where(p => p.Name.Length > 0))
            {
                var name = p.Value.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    ? n.GetString()! : p.Name[(p.Name.LastIndexOf("node_modules/", StringComparison.Ordinal) + "node_modules/".Length)..];
                if (p.Value.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String && !p.Value.TryGetProperty("link", out _))
                {
                    result.Add(new InstalledPackage("npm", name, v.GetString()!, lockfile));
                }
            }
        }
        else if (root.TryGetProperty("dependencies", out var dependencies))
        {
            Walk(dependencies, lockfile, result);
        }

        return result.Distinct().ToList();
    }

    private static void Walk(JsonElement dependencies, string lockfile, List<InstalledPackage> result)
    {
        foreach (var d in dependencies.EnumerateObject())
        {
            if (d.Value.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String)
            {
                result.Add(new InstalledPackage("npm", d.Name, v.GetString()!, lockfile));
            }

            if (d.Value.TryGetProperty("dependencies", out var nested))
            {
                Walk(nested, lockfile, result);
            }
        }
    }

    /// <summary>
    /// The packages of a Python project: a lockfile (<c>poetry.lock</c>, <c>uv.lock</c>, <c>pdm.lock</c>: every
    /// <c>[[package]]</c>; <c>Pipfile.lock</c>: its <c>default</c> and <c>develop</c> pins), else the pinned
    /// <c>name==version</c> lines of a requirements file, the other requirement lines as not pinned.
    /// </summary>
    public static (IReadOnlyList<InstalledPackage> Pinned, IReadOnlyList<string> Unpinned) Python(string requirements)
    {
        var file = Path.GetFileName(requirements);
        if (file.Equals("Pipfile.lock", StringComparison.OrdinalIgnoreCase))
        {
            return (Pipfile(requirements), []);
        }

        if (file.EndsWith(".lock", StringComparison.OrdinalIgnoreCase))
        {
            return (TomlPackages(requirements), []);
        }

        var pinned = new List<InstalledPackage>();
        var unpinned = new List<string>();
        foreach (var raw in File.ReadLines(requirements))
        {
            var line = raw.Split('#')[0].Split(';')[0].Trim();
            if (line.Length == 0 || line.StartsWith('-'))
            {
                continue;
            }

            var parts = line.Split("==", 2, StringSplitOptions.TrimEntries);
            var name = parts[0].Split('[')[0].Trim();
            if (parts.Length == 2 && !parts[1].Contains('*', StringComparison.Ordinal) && !parts[1].Contains(',', StringComparison.Ordinal))
            {
                pinned.Add(new InstalledPackage("PyPI", name, parts[1].Split(' ')[0], requirements));
            }
            else
            {
                unpinned.Add(line);
            }
        }

        return (pinned, unpinned);
    }

    /// <summary>
    /// The modules of a <c>go.sum</c> whose code the build downloaded (lines without <c>/go.mod</c>), at the version OSV
    /// writes for Go: without the leading <c>v</c> and <c>+incompatible</c>.
    /// </summary>
    public static IReadOnlyList<InstalledPackage> Go(string sums)
    {
        var result = new List<InstalledPackage>();
        foreach (var line in File.ReadLines(sums))
        {
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var module, var version, _] && !version.EndsWith("/go.mod", StringComparison.Ordinal))
            {
                var bare = version.TrimStart('v');
                var plus = bare.IndexOf('+', StringComparison.Ordinal);
                result.Add(new InstalledPackage("Go", module, plus < 0 ? bare : bare[..plus], sums));
            }
        }

        return result.Distinct().ToList();
    }

    /// <summary>
    /// The gems of a <c>Gemfile.lock</c>: the <c>name (version)</c> lines of its <c>specs:</c> lists (four spaces in;
    /// their dependencies are six), without a platform suffix (<c>1.13.9-x86_64-linux</c> is 1.13.9).
    /// </summary>
    public static IReadOnlyList<InstalledPackage> Ruby(string lockfile)
    {
        var result = new List<InstalledPackage>();
        var inSpecs = false;
        foreach (var line in File.ReadLines(lockfile))
        {
            if (line.Length == 0 || !line.StartsWith(' '))
            {
                inSpecs = false;
            }
            else if (line.Trim() == "specs:")
            {
                inSpecs = true;
            }
            else if (inSpecs && line.StartsWith("    ", StringComparison.Ordinal) && !line.StartsWith("     ", StringComparison.Ordinal)
                && line.Trim().Split(' ', 2) is [var name, var version] && version.StartsWith('(') && version.EndsWith(')'))
            {
                result.Add(new InstalledPackage("RubyGems", name, version[1..^1].Split('-')[0], lockfile));
            }
        }

        return result.Distinct().ToList();
    }

    /// <summary>
    /// The artifacts of a Maven or Gradle build, named <c>groupId:artifactId</c> as OSV names them: every line of a
    /// <c>gradle.lockfile</c> (the resolved graph), or the dependencies of a <c>pom.xml</c> with the version it gives them,
    /// its own or its <c>dependencyManagement</c>'s, <c>${properties}</c> resolved. A dependency whose version the file
    /// does not settle (a parent's or a BOM's, a range) is returned as not pinned.
    /// </summary>
    public static (IReadOnlyList<InstalledPackage> Pinned, IReadOnlyList<string> Unpinned) Maven(string build)
    {
        if (!build.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
        {
            var locked = new List<InstalledPackage>();
            foreach (var raw in File.ReadLines(build))
            {
                var line = raw.Split('=')[0].Trim();
                if (line.Length > 0 && !line.StartsWith('#') && line.Split(':') is [var group, var artifact, var version])
                {
                    locked.Add(new InstalledPackage("Maven", $"{group}:{artifact}", version, build));
                }
            }

            return (locked.Distinct().ToList(), []);
        }

        var pom = System.Xml.Linq.XDocument.Load(build).Root!;
        IEnumerable<System.Xml.Linq.XElement> Children(System.Xml.Linq.XElement? e, string name) => e?.Elements().Where(c => c.Name.LocalName == name) ?? [];
        string? Text(System.Xml.Linq.XElement? e, string name) => Children(e, name).FirstOrDefault()?.Value.Trim();
        var parent = Children(pom, "parent").FirstOrDefault();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Children(pom, "properties").SelectMany(p => p.Elements()))
        {
            values[p.Name.LocalName] = p.Value.Trim();
        }

        if ((Text(pom, "version") ?? Text(parent, "version")) is { } own)
        {
            values["project.version"] = values["pom.version"] = values["version"] = own;
        }

        if (Text(parent, "version") is { } parentVersion)
        {
            values["project.parent.version"] = parentVersion;
        }

        string? Resolve(string? text)
        {
            for (var depth = 0; text is not null && text.Contains("${", StringComparison.Ordinal) && depth < 10; depth++)
            {
                text = MavenProperty().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
            }

            return text is null || text.Contains("${", StringComparison.Ordinal) || text.IndexOfAny(['[', '(', ',']) >= 0 ? null : text;
        }

        var managed = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var d in Children(Children(Children(pom, "dependencyManagement").FirstOrDefault(), "dependencies").FirstOrDefault(), "dependency"))
        {
            managed[$"{Resolve(Text(d, "groupId"))}:{Resolve(Text(d, "artifactId"))}"] = Resolve(Text(d, "version"));
        }

        var pinned = new List<InstalledPackage>();
        var unpinned = new List<string>();
        var dependencies = Children(Children(pom, "dependencies").FirstOrDefault(), "dependency")
            .Concat(Children(Children(pom, "profiles").FirstOrDefault(), "profile").SelectMany(p => Children(Children(p, "dependencies").FirstOrDefault(), "dependency")));
        foreach (var d in dependencies)
        {
            var name = $"{Resolve(Text(d, "groupId"))}:{Resolve(Text(d, "artifactId"))}";
            var version = Text(d, "version") is { } given ? Resolve(given) : managed.GetValueOrDefault(name);
            if (version is null)
            {
                unpinned.Add(Text(d, "version") is { } written ? $"{name} {written}" : name);
            }
            else
            {
                pinned.Add(new InstalledPackage("Maven", name, version, build));
            }
        }

        return (pinned.Distinct().ToList(), unpinned);
    }

    /// <summary>
    /// The packages of a <c>composer.lock</c> (<c>packages</c> and <c>packages-dev</c>), versions without their
    /// <c>v</c>; a branch (<c>dev-main</c>) has no version to audit and is left out.
    /// </summary>
    public static IReadOnlyList<InstalledPackage> Composer(string lockfile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(lockfile));
        var result = new List<InstalledPackage>();
        foreach (var section in new[] { "packages", "packages-dev" })
        {
            if (document.RootElement.TryGetProperty(section, out var packages) && packages.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in packages.EnumerateArray())
                {
                    if (p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && p.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
                        && v.GetString()! is var version && !version.StartsWith("dev-", StringComparison.Ordinal) && !version.EndsWith("-dev", StringComparison.Ordinal))
                    {
                        result.Add(new InstalledPackage("Packagist", n.GetString()!, version.TrimStart('v', 'V'), lockfile));
                    }
                }
            }
        }

        return result.Distinct().ToList();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial System.Text.RegularExpressions.Regex MavenProperty();

    /// <summary>Every package of a <c>Cargo.lock</c>.</summary>
    public static IReadOnlyList<InstalledPackage> Cargo(string lockfile) => TomlPackages(lockfile, "crates.io");

    /// <summary>Every <c>[[package]]</c> table's <c>name</c> and <c>version</c> of a TOML lockfile (Poetry, uv, PDM, Cargo).</summary>
    private static List<InstalledPackage> TomlPackages(string lockfile, string ecosystem = "PyPI")
    {
        var result = new List<InstalledPackage>();
        string? name = null;
        string? version = null;
        var inPackage = false;
        foreach (var raw in File.ReadLines(lockfile).Append("[end]"))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                if (inPackage && name is not null && version is not null)
                {
                    result.Add(new InstalledPackage(ecosystem, name, version, lockfile));
                }

                inPackage = line == "[[package]]";
                name = version = null;
                continue;
            }

            if (inPackage && line.Split('=', 2, StringSplitOptions.TrimEntries) is [var key, var value] && value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                if (key == "name")
                {
                    name = value[1..^1];
                }
                else if (key == "version")
                {
                    version = value[1..^1];
                }
            }
        }

        return result.Distinct().ToList();
    }

    /// <summary>The <c>==</c> pins of a <c>Pipfile.lock</c>'s <c>default</c> and <c>develop</c> sections.</summary>
    private static List<InstalledPackage> Pipfile(string lockfile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(lockfile));
        var result = new List<InstalledPackage>();
        foreach (var section in new[] { "default", "develop" })
        {
            if (document.RootElement.TryGetProperty(section, out var packages) && packages.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in packages.EnumerateObject())
                {
                    if (p.Value.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.StartsWith("==", StringComparison.Ordinal))
                    {
                        result.Add(new InstalledPackage("PyPI", p.Name, v.GetString()![2..], lockfile));
                    }
                }
            }
        }

        return result.Distinct().ToList();
    }

    /// <summary>Top-level and transitive packages of a .NET project or solution, from the JSON of <c>dotnet list package --include-transitive</c>.</summary>
    public static IReadOnlyList<InstalledPackage> DotNetFromJson(string json, string source)
    {
        using var document = JsonDocument.Parse(json);
        var result = new List<InstalledPackage>();
        foreach (var project in Items(document.RootElement, "projects"))
        {
            foreach (var framework in Items(project, "frameworks"))
            {
                foreach (var package in Items(framework, "topLevelPackages").Concat(Items(framework, "transitivePackages")))
                {
                    if (package.TryGetProperty("id", out var id) && package.TryGetProperty("resolvedVersion", out var version))
                    {
                        result.Add(new InstalledPackage("NuGet", id.GetString()!, version.GetString()!, source));
                    }
                }
            }
        }

        return result.Distinct().ToList();
    }

    /// <summary>Runs <c>dotnet list PROJECT package --include-transitive --format json</c> (the project must be restored).</summary>
    public static async Task<(IReadOnlyList<InstalledPackage> Packages, string? Problem)> DotNetAsync(string project, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "list", project, "package", "--include-transitive", "--format", "json" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var output = process.StandardOutput.ReadToEndAsync(bound.Token);
        var error = process.StandardError.ReadToEndAsync(bound.Token);
        try
        {
            await process.WaitForExitAsync(bound.Token);
            var json = await output;
            if (process.ExitCode != 0 || !json.TrimStart().StartsWith('{'))
            {
                return ([], $"dotnet list package failed (exit {process.ExitCode}): {ProbeText(json + await error)}");
            }

            var root = JsonDocument.Parse(json).RootElement;
            if (root.TryGetProperty("problems", out var problems) && problems.GetArrayLength() > 0)
            {
                return (DotNetFromJson(json, project), ProbeText(string.Join("; ", problems.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : p.ToString()))));
            }

            return (DotNetFromJson(json, project), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return ([], $"dotnet list package did not finish within {timeout.TotalSeconds:0} s");
        }
    }

    private static string ProbeText(string text) => Http.ProbeHttp.Excerpt(text.Trim(), 300);

    private static List<JsonElement> Items(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? [.. v.EnumerateArray()] : [];
}
