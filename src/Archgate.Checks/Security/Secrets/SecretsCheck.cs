using Archgate.Launch;
using Archgate.Model;
using Archgate.Protocol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Security.Secrets;

/// <summary>Options of step 9's secrets scan.</summary>
public sealed record SecretsScanOptions
{
    /// <summary>Largest file read. <value>1 MiB</value>.</summary>
    public long MaxFileBytes { get; init; } = 1024 * 1024;

    /// <summary>Most files read per config folder. <value>500</value>.</summary>
    public int MaxFilesPerFolder { get; init; } = 500;

    /// <summary>How deep config folders are searched. <value>3</value>.</summary>
    public int MaxDepth { get; init; } = 3;

    /// <summary>The tail of each component log read. <value>4 MiB</value>.</summary>
    public long MaxLogBytes { get; init; } = 4 * 1024 * 1024;
}

/// <summary>
/// Step 9's secrets scan: literal secrets in the manifest (a <c>${VAR}</c> reference is fine, a literal or a
/// <c>${VAR:-default}</c> default is not), secret-looking values in the deployed config folders of the components
/// Archgate starts (<see cref="ProgramFolders"/> of what their <c>run</c> command starts, read by <see cref="RunProgram"/>;
/// folders named by their *CONFIG* env) and in <c>security.configPaths</c>, and in the component logs; a started
/// component whose folder cannot be told is named (info), never passed in silence. Responses are judged by the passive
/// rules (AG9082). Every value is reported masked.
/// </summary>
internal sealed class SecretsCheck(SecretsScanOptions options) : ICheck
{
    private static readonly string[] ConfigExtensions =
        [".json", ".yaml", ".yml", ".xml", ".config", ".properties", ".env", ".ini", ".toml", ".conf", ".cfg", ".txt", ".pem", ".key"];

    /// <summary>What the scan reads, as a user reads it in a hint.</summary>
    internal static string ReadFileKinds => $"{string.Join(" ", ConfigExtensions)}, .env*, and settings written as code (settings.py, config.js, config/*.rb, config/*.php)";

    public string Id => "security.secrets";

    public int Step => 9;

    public string Title => "No secrets in the manifest, deployed config or logs";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var system = context.System;
        var findings = new List<Finding>();
        var scanned = 0;

        // What step 6 reported already (a third party's key in the manifest or in a caller's deployed config) is not
        // reported again: one finding per secret. SARIF carries step 6's (SarifReporter).
        var earlier = ReportedInStep6(context);
        var repeated = new List<Finding>();
        if (File.Exists(system.ManifestPath))
        {
            var name = System.IO.Path.GetFileName(system.ManifestPath);
            foreach (var (finding, namedPath) in ManifestSecrets(system.ManifestPath))
            {
                var line = finding.Location![(name.Length + 1)..].Split(':')[0];
                Keep(finding, earlier.FirstOrDefault(e => e.Location!.StartsWith($"{name}:{line} ", StringComparison.Ordinal) || e.Location!.EndsWith($" {namedPath}", StringComparison.Ordinal)));
            }

            scanned++;
        }

        var secrets = SecretValues(system);
        foreach (var (components, file) in ConfigFileSet(system))
        {
            cancellationToken.ThrowIfCancellationRequested();
            scanned++;
            foreach (var finding in ScanFile(file, components, PassiveRules.ConfigSecret, "deployed config", secrets))
            {
                Keep(finding, earlier.FirstOrDefault(e => e.Location == finding.Location));
            }
        }

        if (repeated.Count > 0)
        {
            var distinct = repeated.Distinct().ToList();
            findings.Add(Findings.Create(PassiveRules.ManifestSecret, Severity.Info, null, null,
                $"{distinct.Count} secret(s) step 6 reported already (third-party.secrets: {string.Join(", ", distinct.Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal))}) are not repeated here",
                string.Join("\n", distinct.Select(f => $"{f.Rule} {f.Severity.ToString().ToLowerInvariant()} {f.Location}")),
                "see step 6's findings; security.sarif lists them with step 9's"));
        }

        // Coverage: a started component whose config folder cannot be told is said, not passed in silence.
        foreach (var component in Unscanned(system))
        {
            findings.Add(Findings.Create(PassiveRules.ConfigSecret, Severity.Info, component.Name, null,
                $"{component.Name}'s deployed config was not scanned: its run command ({Redact.Text(component.Run!.Command)}) names no program file or project folder Archgate can find"
                    + (system.Security.ConfigPaths.Count > 0 ? ", and no security.configPaths entry is credited to it" : string.Empty),
                $"run.workdir {component.Run.WorkingDirectory}",
                "name its config folder in security.configPaths (or give run.env a *CONFIG* variable with the folder) so its config is scanned"));
        }

        foreach (var (component, log) in Logs(system, context.OutputDirectory))
        {
            scanned++;
            findings.AddRange(ScanFile(log, [component], PassiveRules.LogSecret, "log"));
        }

        var result = CheckResult.From(findings, [new Metric("security_secrets_files_scanned", new Dictionary<string, string>(), scanned, "count")]);
        return Task.FromResult(result);

        void Keep(Finding finding, Finding? reportedBefore)
        {
            if (reportedBefore is null)
            {
                findings.Add(finding);
            }
            else
            {
                repeated.Add(reportedBefore);
            }
        }
    }

    /// <summary>The findings above info of step 6's <c>third-party.secrets</c> in this run, with a location.</summary>
    private static List<Finding> ReportedInStep6(CheckContext context) =>
        [.. context.EarlierSteps.Where(s => s.Number == 6).SelectMany(s => s.Checks).Where(c => c.Id == ThirdPartySecretsCheck)
            .SelectMany(c => c.Findings).Where(f => f.Severity > Severity.Info && f.Location is not null)];

    /// <summary>The id of step 6's check of third-party keys, whose findings this check does not repeat.</summary>
    internal const string ThirdPartySecretsCheck = "third-party.secrets";

    /// <summary>Secret-named keys with literal values, and known formats anywhere, in the manifest; positions from the YAML.</summary>
    internal static IEnumerable<Finding> Manifest(string path) => ManifestSecrets(path).Select(m => m.Finding);

    /// <summary>
    /// As <see cref="Manifest"/>, each with its key's path written with the names of list items that have one
    /// (<c>components.gateway.run.env.KEY</c> for <c>components[2].run.env.KEY</c>), as step 6 names the same key.
    /// </summary>
    internal static IEnumerable<(Finding Finding, string NamedPath)> ManifestSecrets(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException)
        {
            yield break; // the loader reported it already
        }

        var name = System.IO.Path.GetFileName(path);
        foreach (var document in stream.Documents)
        {
            foreach (var (key, scalar, keyPath, namedPath) in Scalars(document.RootNode, string.Empty, string.Empty))
            {
                var value = scalar.Value ?? string.Empty;
                var where = $"{name}:{scalar.Start.Line}:{scalar.Start.Column} {keyPath}";
                var literal = Literal(value);
                SecretMatch? found = null;
                if (literal is not null && SecretPatterns.IsSecretName(key) && !NamesAField(keyPath, key, literal))
                {
                    found = SecretPatterns.Classify(key, literal);
                }

                found ??= SecretPatterns.KnownFormats(value, jwts: true).FirstOrDefault();
                if (found is null)
                {
                    continue;
                }

                var fromDefault = literal is not null && value.Contains("${", StringComparison.Ordinal) ? " (the default of a ${VAR:-default}, committed with the manifest)" : string.Empty;
                yield return (Findings.Create(PassiveRules.ManifestSecret, found.Severity,
                    component: null,
                    location: where,
                    message: $"{keyPath}: {found.Kind} written in the manifest{fromDefault}",
                    evidence: $"{key}: {found.Masked}",
                    hint: found.Severity >= Severity.Medium
                        ? "write ${NAME} and supply the value from the environment or a secret store; rotate the value, it is in the repository's history"
                        : "fine for a test identity or a test-mode key; anything real belongs in the environment (${NAME})"), namedPath);
            }
        }
    }

    /// <summary>
    /// Whether the value names where something is rather than being it, by where the manifest puts it: every value under
    /// a <c>fields</c> mapping (<c>auth.ann.fields: { user: email, password: password }</c>: the login body's JSON field
    /// names) or a <c>capture</c> mapping (variable: a JSON path, <c>header: ETag</c> or a property name), a
    /// <c>tokenQuery</c> (a query parameter's name), <c>signingKey.privateKey</c> (a PEM file's path; a PEM written in
    /// place is still a known format), a <c>{variable}</c> the run fills in, and a <c>token</c> that reads as a field
    /// name or a JSON path (<c>token: $.accessToken</c>). A secret-named key anywhere else holds its value: a literal
    /// <c>password: hunter2</c> is reported wherever it is.
    /// </summary>
    internal static bool NamesAField(string keyPath, string key, string value)
    {
        var parent = keyPath.Length > key.Length ? keyPath[..(keyPath.Length - key.Length - 1)] : string.Empty;
        var parentKey = System.Text.RegularExpressions.Regex.Replace(parent[(parent.LastIndexOf('.') + 1)..], @"\[\d+\]$", string.Empty);
        return parentKey is "fields" or "capture"
            || key == "tokenQuery"
            || (key == "privateKey" && parentKey == "signingKey")
            || System.Text.RegularExpressions.Regex.IsMatch(value, @"^\{[A-Za-z_][A-Za-z0-9_]*\}$")
            || (key.Equals("token", StringComparison.OrdinalIgnoreCase)
                && System.Text.RegularExpressions.Regex.IsMatch(value, @"^(?:\$[.\[])?[A-Za-z_][A-Za-z0-9_.\[\]'""]*$") && SecretPatterns.Entropy(value) < 3.5);
    }

    /// <summary>What of <paramref name="value"/> is literal: all of it, the defaults of <c>${VAR:-default}</c>, or null for a pure reference.</summary>
    private static string? Literal(string value)
    {
        if (!value.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }

        var defaults = System.Text.RegularExpressions.Regex.Matches(value, @"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")
            .Select(m => m.Groups[1].Value).Where(d => d.Length > 0).ToList();
        return defaults.Count == 0 ? null : string.Join(" ", defaults);
    }

    /// <summary>The scalars under <paramref name="node"/>, each with its key, its path, and its path with list items named (<see cref="ManifestSecrets"/>).</summary>
    private static IEnumerable<(string Key, YamlScalarNode Value, string Path, string NamedPath)> Scalars(YamlNode node, string path, string named)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    var key = (k as YamlScalarNode)?.Value ?? string.Empty;
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    var namedChild = named.Length == 0 ? key : $"{named}.{key}";
                    if (v is YamlScalarNode scalar)
                    {
                        yield return (key, scalar, child, namedChild);
                    }
                    else
                    {
                        foreach (var inner in Scalars(v, child, namedChild))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case YamlSequenceNode sequence:
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    var itemName = item is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode { Value: { } v2 }
                        && System.Text.RegularExpressions.Regex.IsMatch(v2, "^[A-Za-z0-9_-]+$") ? $"{named}.{v2}" : $"{named}[{i}]";
                    foreach (var inner in Scalars(item, $"{path}[{i++}]", itemName))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// Deployed config folders: each started component's program folders (<see cref="ProgramFolders"/>) and *CONFIG*
    /// env folders, and security.configPaths; each with the components it serves (several when they run from one folder,
    /// none for a configPaths entry of no component's).
    /// </summary>
    internal static IReadOnlyList<(IReadOnlyList<string> Components, string Folder)> ConfigFolders(SystemModel system)
    {
        var folders = new List<(string?, string)>();
        foreach (var component in system.Components.Where(c => c.Run is not null))
        {
            folders.AddRange(OwnFolders(system, component).Select(f => ((string?)component.Name, f)));
        }

        folders.AddRange(system.Security.ConfigPaths.Select(p => ((string?)null, p)));
        return [.. folders.GroupBy(f => f.Item2, StringComparer.Ordinal)
            .Select(g => ((IReadOnlyList<string>)[.. g.Select(f => f.Item1).OfType<string>().Distinct(StringComparer.Ordinal)], g.Key))];
    }

    /// <summary>
    /// The config files of <see cref="ConfigFolders"/>, each once by its full path with every component whose folder holds
    /// it: a folder found from a component's <c>run</c> and a security.configPaths entry inside it (or naming the same
    /// file) give one file, credited to the component, so each secret is one finding.
    /// </summary>
    internal IReadOnlyList<(IReadOnlyList<string> Components, string File)> ConfigFileSet(SystemModel system)
    {
        var declared = Declared(system);
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (components, folder) in ConfigFolders(system))
        {
            foreach (var file in ConfigFiles(folder, declared))
            {
                var path = System.IO.Path.GetFullPath(file);
                if (!files.TryGetValue(path, out var owners))
                {
                    files[path] = owners = [];
                }

                owners.AddRange(components.Where(c => !owners.Contains(c, StringComparer.Ordinal)));
            }
        }

        return [.. files.Select(f => ((IReadOnlyList<string>)f.Value, f.Key))];
    }

    /// <summary>
    /// The started services and frontends none of whose config folders Archgate can tell from the manifest: their config
    /// is not scanned. A database or a broker started as a program on the PATH (<c>postgres -D data</c>) has no deployed
    /// config of the team's, nor has a third party's stand-in.
    /// </summary>
    internal static IReadOnlyList<Component> Unscanned(SystemModel system) =>
        [.. system.Components.Where(c => c.Run is not null && c.Kind is ComponentKind.Service or ComponentKind.Frontend && OwnFolders(system, c).Count == 0)];

    private static List<string> OwnFolders(SystemModel system, Component component)
    {
        var run = component.Run!;
        var folders = ProgramFolders(RunProgram.Of(run), system.BaseDirectory);
        foreach (var (name, value) in run.Environment)
        {
            if (name.Contains("CONFIG", StringComparison.OrdinalIgnoreCase) && value.Length > 0)
            {
                var dir = System.IO.Path.GetFullPath(System.IO.Path.Combine(run.WorkingDirectory, value));
                if (Directory.Exists(dir))
                {
                    folders.Add(dir);
                }
            }
        }

        return folders;
    }

    /// <summary>
    /// The folders a started program reads its config from: the folder of the file it runs (<c>bin/out</c> of
    /// <c>dotnet bin/out/App.dll</c>), the project folder of one run from its sources (<c>dotnet run --project P</c>,
    /// <c>npm start</c>), the folders of a Java program's classpath (<c>java -cp out Main</c>), and the <c>appsettings*.json</c> files of a .NET program's content root, its working directory,
    /// when the command or <c>workdir</c> moved it from the manifest's folder (<c>sh -c 'cd api &amp;&amp; exec dotnet
    /// bin/out/Api.dll'</c> reads <c>api/appsettings.json</c>). Only folders and files that exist.
    /// </summary>
    internal static List<string> ProgramFolders(RunProgram? program, string baseDirectory)
    {
        var folders = new List<string>();
        if (program is null)
        {
            return folders;
        }

        if (program.EntryFile is { } entry && File.Exists(entry))
        {
            folders.Add(System.IO.Path.GetDirectoryName(entry)!);
        }

        if (program.ProjectFolder is { } project && Directory.Exists(project))
        {
            folders.Add(project);
        }

        folders.AddRange(program.ClassPath.Where(Directory.Exists));

        if (program.IsDotnet && Directory.Exists(program.WorkingDirectory)
            && !string.Equals(System.IO.Path.TrimEndingDirectorySeparator(program.WorkingDirectory), System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(baseDirectory)), StringComparison.Ordinal))
        {
            // Only what the content root gives the program (appsettings.json, appsettings.{Environment}.json), not the
            // whole folder: run from a repository's root, that would be every file of it (the shop's own archgate.yaml,
            // with its secrets' test defaults, read as deployed config).
            folders.AddRange(Directory.EnumerateFiles(program.WorkingDirectory, "appsettings*.json").Order(StringComparer.Ordinal));
        }

        return [.. folders.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The files the manifest names that are no deployed config: itself (judged on its own) and the contracts it declares
    /// (OpenAPI documents and their baselines, pacts, AsyncAPI documents), whose examples are documentation. Full paths.
    /// </summary>
    internal static HashSet<string> Declared(SystemModel system)
    {
        IEnumerable<string?> paths =
        [
            system.ManifestPath,
            .. system.Components.OfType<HttpComponent>().SelectMany(c => new[] { c.OpenApi?.Path, c.OpenApi?.Baseline }),
            .. system.PactFiles,
            .. system.OfKind<BrokerComponent>().Select(b => b.Broker.AsyncApi?.Path),
        ];
        return paths.OfType<string>().Where(p => p.Length > 0).Select(p => System.IO.Path.GetFullPath(p)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The config files of a folder (or the file itself). Archgate's own files are not the system's config: what the
    /// manifest names (<paramref name="declared"/>: itself and the contracts it declares), the run store under
    /// <c>.archgate</c>, and run folders written elsewhere with <c>--out</c> (a folder with <c>run.json</c> beside
    /// <c>integration-validation-report.md</c>).
    /// </summary>
    internal IEnumerable<string> ConfigFiles(string folderOrFile, IReadOnlySet<string>? declared = null)
    {
        if (File.Exists(folderOrFile))
        {
            return [folderOrFile];
        }

        var separator = System.IO.Path.DirectorySeparatorChar;
        var runFolders = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool RunFolder(string file)
        {
            var dir = System.IO.Path.GetDirectoryName(file) ?? string.Empty;
            if (!runFolders.TryGetValue(dir, out var yes))
            {
                runFolders[dir] = yes = File.Exists(System.IO.Path.Combine(dir, "run.json")) && File.Exists(System.IO.Path.Combine(dir, "integration-validation-report.md"));
            }

            return yes;
        }

        var enumeration = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = options.MaxDepth, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var outputs = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool UnderOutput(string file)
        {
            // Only folders below the one scanned: a program that runs from bin/out has that folder scanned as its own.
            var dir = folderOrFile;
            foreach (var part in System.IO.Path.GetRelativePath(folderOrFile, System.IO.Path.GetDirectoryName(file)!).Split(separator))
            {
                var parent = dir;
                dir = System.IO.Path.Combine(dir, part);
                if (!outputs.TryGetValue(dir, out var output))
                {
                    outputs[dir] = output = part != "." && IsBuildOutput(parent, part);
                }

                if (output)
                {
                    return true;
                }
            }

            return false;
        }

        return Directory.EnumerateFiles(folderOrFile, "*", enumeration)
            .Where(f => !UnderOutput(f))
            .Where(f => declared?.Contains(System.IO.Path.GetFullPath(f)) != true && !RunFolder(f))
            .Where(f => ConfigExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()) || System.IO.Path.GetFileName(f).StartsWith(".env", StringComparison.Ordinal) || IsSettingsCode(f))
            .Where(f => !IsBuildFile(System.IO.Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .Take(options.MaxFilesPerFolder);
    }

    /// <summary>Whether the value at <paramref name="index"/> of <paramref name="text"/> opens a string literal (a quote just before it).</summary>
    private static bool Quoted(string text, int index) => index > 0 && text[index - 1] is '"' or '\'' or '`';

    /// <summary>The languages whose services keep settings in source files (Django's settings.py, a Node config.js, Rails' config/*.rb, PHP's config/*.php).</summary>
    private static readonly string[] CodeExtensions = [".py", ".js", ".cjs", ".mjs", ".ts", ".rb", ".php"];

    /// <summary>
    /// A settings file written as code, read as config: a Python, JavaScript, Ruby or PHP file named <c>settings</c>,
    /// <c>config</c>, <c>configuration</c>, <c>secrets</c> or <c>credentials</c> (also <c>settings_local.py</c>,
    /// <c>local_settings.py</c>, <c>config.production.js</c>, <c>wp-config.php</c>), or any such file in a folder named
    /// <c>settings</c> or <c>config</c>. Only literal values are found in them: <c>KEY = os.environ["KEY"]</c> names no value.
    /// </summary>
    internal static bool IsSettingsCode(string path)
    {
        if (!CodeExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant()))
        {
            return false;
        }

        var folder = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path)) ?? string.Empty;
        if (folder is "settings" or "config")
        {
            return true;
        }

        var stem = System.IO.Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        return stem.Split('.', '_', '-').Any(word => word is "settings" or "config" or "configuration" or "secrets" or "credentials")
            && !stem.Contains("test", StringComparison.Ordinal) && !stem.Contains("example", StringComparison.Ordinal) && !stem.Contains("sample", StringComparison.Ordinal)
            && !stem.Split('.', '_', '-').Any(word => word is "webpack" or "vite" or "babel" or "jest" or "eslint" or "prettier" or "tailwind" or "postcss" or "rollup" or "karma" or "next" or "nuxt" or "svelte" or "vitest" or "playwright" or "tsconfig");
    }

    /// <summary>
    /// Folders of build and dependency output, not deployed config: <c>obj</c>, <c>bin</c>, <c>node_modules</c>, version
    /// control, virtual environments and caches, Archgate's <c>.archgate</c>, and <c>target</c>, <c>dist</c>, <c>build</c>,
    /// <c>out</c> when a build file beside them (<c>Cargo.toml</c>, <c>pom.xml</c>, <c>package.json</c>...) says they are its output.
    /// </summary>
    internal static bool IsBuildOutput(string parent, string name)
    {
        if (name is "obj" or "bin" or "node_modules" or ".git" or ".hg" or ".svn" or ".archgate" or "__pycache__" or ".venv" or "venv"
            or ".tox" or ".mypy_cache" or ".pytest_cache" or ".gradle" or ".next" or ".nuxt" or ".vs" or ".idea")
        {
            return true;
        }

        string[] builds = name switch
        {
            "target" => ["Cargo.toml", "pom.xml", "build.gradle", "build.gradle.kts", "build.sbt"],
            "dist" or "build" or "out" => ["package.json", "pyproject.toml", "setup.py", "build.gradle", "build.gradle.kts", "tsconfig.json"],
            _ => [],
        };
        return builds.Any(b => File.Exists(System.IO.Path.Combine(parent, b)));
    }

    /// <summary>
    /// Files a build or a package manager writes, whose names are package names, not settings:
    /// <c>*.deps.json</c>, <c>*.runtimeconfig.json</c>, NuGet's <c>project.assets.json</c> and <c>*.nuget.dgspec.json</c>,
    /// and lock files (<c>packages.lock.json</c>, <c>package-lock.json</c>, <c>pnpm-lock.yaml</c>...).
    /// </summary>
    internal static bool IsBuildFile(string name) =>
        name.EndsWith(".deps.json", StringComparison.Ordinal) || name.EndsWith(".runtimeconfig.json", StringComparison.Ordinal)
        || name.EndsWith(".nuget.dgspec.json", StringComparison.Ordinal)
        || name is "project.assets.json" or "packages.lock.json" or "package-lock.json" or "npm-shrinkwrap.json" or "pnpm-lock.yaml" or "composer.lock" or "Pipfile.lock";

    /// <summary>
    /// The values of the secrets the manifest declares (<see cref="SystemModel.DeclaredSecrets"/>: passwords, keys, the
    /// signing key), and of secret-named <c>run.env</c> variables, as the run resolved them: one of them found in deployed
    /// config is that very secret committed there. Values under 8 characters are left out (they would match by chance).
    /// </summary>
    internal static IReadOnlyList<string> SecretValues(SystemModel system) =>
        [.. system.DeclaredSecrets
            .Concat(system.Components.Where(c => c.Run is not null).SelectMany(c => c.Run!.Environment)
                .Where(e => SecretPatterns.IsSecretName(e.Key)).Select(e => e.Value))
            .Where(v => v.Length >= 8 && !v.Any(char.IsWhiteSpace))
            .Distinct(StringComparer.Ordinal)];

    /// <summary>The component logs Archgate wrote (<c>logs/&lt;component&gt;.log</c> next to the run store, which holds the runs folder).</summary>
    private static IEnumerable<(string Component, string Log)> Logs(SystemModel system, string outputDirectory)
    {
        var logs = System.IO.Path.GetFullPath(System.IO.Path.Combine(outputDirectory, "..", "..", "logs"));
        foreach (var component in system.Components)
        {
            var log = System.IO.Path.Combine(logs, $"{component.Name}.log");
            if (File.Exists(log))
            {
                yield return (component.Name, log);
            }
        }
    }

    /// <summary>
    /// The secret-looking values of one file, one finding per line, credited to <paramref name="components"/>: the one
    /// component whose file it is, or none when several run from its folder (the message names them all) or it is a
    /// configPaths entry of no component's.
    /// </summary>
    internal IEnumerable<Finding> ScanFile(string path, IReadOnlyList<string> components, string rule, string what, IReadOnlyList<string>? secrets = null)
    {
        var component = components.Count == 1 ? components[0] : null;
        var whose = components.Count switch
        {
            0 => what,
            1 => $"{components[0]}'s {what}",
            _ => $"the {what} shared by {string.Join(", ", components.SkipLast(1))} and {components[^1]}",
        };
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var limit = rule == PassiveRules.LogSecret ? options.MaxLogBytes : options.MaxFileBytes;
            if (stream.Length > limit)
            {
                if (rule != PassiveRules.LogSecret)
                {
                    yield break;
                }

                stream.Seek(-limit, SeekOrigin.End); // the tail of a log: the latest run
            }

            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        var isLog = rule == PassiveRules.LogSecret;
        // In settings written as code only a string literal is a value: SECRET_KEY = os.environ["KEY"] reads one.
        var code = !isLog && IsSettingsCode(path);
        var seen = new HashSet<int>();
        var matches = SecretPatterns.DeclaredValues(text, secrets ?? [])
            .Concat(SecretPatterns.KnownFormats(text, jwts: true))
            .Concat(SecretPatterns.NamedValues(text).Where(m => (m.Severity >= Severity.Medium || !isLog) && (!code || Quoted(text, m.Index))))
            .Concat(isLog ? []
                : path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? SecretPatterns.NestedJsonValues(text)
                : path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ? SecretPatterns.NestedYamlValues(text)
                : [])
            .OrderByDescending(m => m.Severity);
        foreach (var match in matches)
        {
            var line = text.AsSpan(0, Math.Min(match.Index, text.Length)).Count('\n') + 1;
            if (!seen.Add(line))
            {
                continue; // one finding per line: a named key and its known format are the same secret
            }

            yield return Findings.Create(rule, match.Severity,
                component: component,
                location: $"{path}:{line}",
                message: $"{match.Kind} in {whose} ({System.IO.Path.GetFileName(path)}, line {line})",
                evidence: match.Masked,
                hint: isLog
                    ? "never log secrets or tokens: log their presence, not their value; rotate what was logged"
                    : match.Severity >= Severity.Medium
                        ? "deployed config must not hold secrets: pass them through the environment or a secret store, delete the file, rotate the value"
                        : "a test-mode or placeholder value; make sure no real one is ever deployed this way");
        }
    }
}
