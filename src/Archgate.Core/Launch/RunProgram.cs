using System.Text;
using System.Text.RegularExpressions;
using Archgate.Model;

namespace Archgate.Launch;

/// <summary>
/// The program a <c>run</c> command starts, read as a shell would read it enough to know the program and its folder:
/// <c>VAR=1</c> and <c>env VAR=1</c> prefixes, <c>exec</c>/<c>nohup</c>/<c>setsid</c>, and a <c>sh -c</c>/<c>bash -lc</c>
/// script whose <c>cd</c>s move the working directory and whose last command (or its <c>exec</c>) is the program.
/// The one reader of run commands for every check that asks what a component runs (step 3: is it a .NET program;
/// step 9: where is its deployed config).
/// </summary>
/// <param name="WorkingDirectory">The directory the program starts in, absolute: the component's <c>workdir</c> moved by the script's <c>cd</c>s.</param>
/// <param name="Program">The program as written (<c>dotnet</c>, <c>node</c>, <c>./start.sh</c>).</param>
/// <param name="Arguments">Its arguments.</param>
/// <param name="EntryFile">The file it runs, absolute (<c>bin/App.dll</c> of <c>dotnet bin/App.dll</c>, <c>server.js</c> of <c>node server.js</c>, the script itself), or null; it may not exist.</param>
/// <param name="ProjectFolder">The folder of a program run from its sources (<c>dotnet run --project P</c>, <c>npm start</c>, <c>python -m app</c>), absolute, or null.</param>
public sealed partial record RunProgram(string WorkingDirectory, string Program, IReadOnlyList<string> Arguments, string? EntryFile, string? ProjectFolder)
{
    private const int MaxShellDepth = 3;

    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "dash", "zsh", "ash", "ksh" };

    private static readonly HashSet<string> Prefixes = new(StringComparer.Ordinal) { "exec", "nohup", "setsid", "command", "stdbuf", "time" };

    /// <summary>
    /// The folders of a Java program's classpath (<c>java -cp out:lib/app.jar Main</c>: <c>out</c> and <c>lib</c>),
    /// absolute, in order; a <c>*</c> entry (a folder of libraries) is left out. The first is <see cref="ProjectFolder"/>.
    /// </summary>
    public IReadOnlyList<string> ClassPath { get; init; } = [];

    /// <summary>The program's file name (<c>dotnet</c> for <c>/usr/bin/dotnet</c>).</summary>
    public string Name => Path.GetFileName(Program);

    /// <summary>Whether it is a .NET program: <c>dotnet</c> (<c>dotnet App.dll</c>, <c>dotnet run</c>) or a <c>.dll</c>.</summary>
    public bool IsDotnet => Name is "dotnet" or "dotnet.exe" || Program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>What <paramref name="run"/> starts, or null when its command cannot be read that far (an empty command, an unknown <c>$VAR</c> in a <c>cd</c>).</summary>
    public static RunProgram? Of(RunSpec run) => Read(run.Command, run.WorkingDirectory, run.Environment);

    /// <summary>What <paramref name="command"/> starts in <paramref name="workingDirectory"/>; <c>$VAR</c>s are read from <paramref name="environment"/>.</summary>
    public static RunProgram? Read(string command, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null) =>
        FromWords(CommandLine.Split(command), Path.GetFullPath(workingDirectory), environment ?? new Dictionary<string, string>(), 0);

    private static RunProgram? FromWords(IReadOnlyList<string> words, string directory, IReadOnlyDictionary<string, string> environment, int depth)
    {
        var i = SkipPrefixes(words, 0);
        if (i >= words.Count)
        {
            return null;
        }

        var program = words[i];
        var arguments = words.Skip(i + 1).ToList();
        // CLASSPATH=out java Main, env CLASSPATH=out java Main: what the program itself sees.
        var assigned = words.Take(i).Where(w => Assignment().IsMatch(w)).ToList();
        if (assigned.Count > 0)
        {
            environment = With(environment, assigned);
        }

        if (Shells.Contains(Path.GetFileName(program)))
        {
            return FromShell(program, arguments, directory, environment, depth);
        }

        return Resolve(program, arguments, directory, environment);
    }

    /// <summary><paramref name="environment"/> with the <c>NAME=value</c> words of <paramref name="assignments"/> set (their values expanded from it).</summary>
    private static Dictionary<string, string> With(IReadOnlyDictionary<string, string> environment, IEnumerable<string> assignments)
    {
        var result = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        foreach (var word in assignments)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            result[word[..equals]] = Expand(word[(equals + 1)..], result) ?? string.Empty;
        }

        return result;
    }

    /// <summary>The index of the first word after <c>VAR=value</c> assignments, <c>env</c> (and its options) and <c>exec</c>-like prefixes.</summary>
    private static int SkipPrefixes(IReadOnlyList<string> words, int i)
    {
        while (i < words.Count)
        {
            if (Assignment().IsMatch(words[i]) || Prefixes.Contains(words[i]))
            {
                i++;
            }
            else if (words[i] == "env")
            {
                i++;
                while (i < words.Count && (words[i].StartsWith('-') || Assignment().IsMatch(words[i])))
                {
                    i += words[i] is "-u" or "--unset" or "-C" or "--chdir" ? 2 : 1;
                }
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static RunProgram? FromShell(string shell, List<string> arguments, string directory, IReadOnlyDictionary<string, string> environment, int depth)
    {
        var script = false;
        var i = 0;
        for (; i < arguments.Count && arguments[i].StartsWith('-') && arguments[i] != "-" && arguments[i] != "--"; i++)
        {
            script |= !arguments[i].StartsWith("--", StringComparison.Ordinal) && arguments[i].Contains('c', StringComparison.Ordinal);
        }

        if (i < arguments.Count && arguments[i] == "--")
        {
            i++;
        }

        if (i >= arguments.Count)
        {
            return null; // an interactive shell, or a script on standard input
        }

        if (!script)
        {
            // sh start.sh: the script is the program.
            return new RunProgram(directory, shell, arguments, Path.GetFullPath(Path.Combine(directory, arguments[i])), null);
        }

        return depth >= MaxShellDepth ? null : FromScript(arguments[i], directory, environment, depth + 1);
    }

    /// <summary>The program of a <c>-c</c> script: its last command (or the first <c>exec</c>), in the directory its <c>cd</c>s lead to.</summary>
    private static RunProgram? FromScript(string script, string directory, IReadOnlyDictionary<string, string> environment, int depth)
    {
        RunProgram? last = null;
        foreach (var command in ScriptCommands(script))
        {
            var words = command.Select(w => Expand(w, environment)).ToList();
            if (words.Any(w => w is null))
            {
                return null; // a $VAR that is not in the component's env: where the program runs is unknown
            }

            var known = words.OfType<string>().ToList();
            var first = SkipPrefixes(known, 0);
            if (first >= known.Count && known.All(w => Assignment().IsMatch(w)))
            {
                environment = With(environment, known); // CLASSPATH=out; a shell variable the later commands see
                continue;
            }

            if (first < known.Count && known[first] == "export")
            {
                environment = With(environment, known.Skip(first + 1).Where(w => Assignment().IsMatch(w)));
                continue;
            }

            if (first >= known.Count || known[first] is "set" or "source" or "." or "trap" or "ulimit" or "umask" or "echo" or "true" or "unset" or "wait")
            {
                continue;
            }

            if (known[first] is "cd" or "pushd")
            {
                var target = known.Skip(first + 1).FirstOrDefault(w => !w.StartsWith('-'));
                if (target is null || target.StartsWith('~'))
                {
                    return null; // cd to HOME: not a folder of the system
                }

                directory = Path.GetFullPath(Path.Combine(directory, target));
                continue;
            }

            last = FromWords(known, directory, environment, depth);
            if (known.Take(first).Contains("exec"))
            {
                return last; // nothing after an exec runs
            }
        }

        return last;
    }

    /// <summary>A word with <c>$VAR</c>/<c>${VAR}</c> replaced from <paramref name="environment"/>, or null when one is not there.</summary>
    private static string? Expand(string word, IReadOnlyDictionary<string, string> environment)
    {
        var unknown = false;
        var expanded = Variable().Replace(word, m =>
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            if (environment.TryGetValue(name, out var value))
            {
                return value;
            }

            unknown = true;
            return m.Value;
        });
        return unknown ? null : expanded;
    }

    /// <summary>The simple commands of a shell script, each as its words: split at <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>, <c>&amp;</c> and new lines outside quotes.</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> ScriptCommands(string script)
    {
        var commands = new List<IReadOnlyList<string>>();
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        void EndWord()
        {
            if (inWord)
            {
                words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
        }

        void EndCommand()
        {
            EndWord();
            if (words.Count > 0)
            {
                commands.Add(words);
                words = [];
            }
        }

        for (var i = 0; i < script.Length; i++)
        {
            var c = script[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else if (quote == '"' && c == '\\' && i + 1 < script.Length)
                {
                    current.Append(script[++i]);
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (c == '\\' && i + 1 < script.Length)
            {
                current.Append(script[++i]);
                inWord = true;
            }
            else if (c is ';' or '&' or '|' or '\n')
            {
                EndCommand();
            }
            else if (char.IsWhiteSpace(c))
            {
                EndWord();
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }

        EndCommand();
        return commands;
    }

    /// <summary>The file or folder a known runtime runs, else the program itself when it is a path, else the first argument that is a program file.</summary>
    private static RunProgram Resolve(string program, List<string> arguments, string directory, IReadOnlyDictionary<string, string> environment)
    {
        string Full(string path) => Path.GetFullPath(Path.Combine(directory, path));
        var name = Path.GetFileName(program);
        var operands = Operands(name, arguments);
        string? entry = null;
        string? project = null;
        switch (name)
        {
            case "dotnet" or "dotnet.exe":
                var verb = operands.FirstOrDefault();
                if (verb is "exec")
                {
                    verb = operands.Skip(1).FirstOrDefault();
                }

                if (verb is not null && verb.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                {
                    entry = Full(verb);
                }
                else if (verb is "run" or "watch")
                {
                    var named = Option(arguments, "--project", "-p");
                    project = named is null ? directory
                        : named.EndsWith("proj", StringComparison.OrdinalIgnoreCase) ? Path.GetDirectoryName(Full(named)) : Full(named);
                }

                break;
            case "npm" or "yarn" or "pnpm" or "npx" or "bun" when operands.FirstOrDefault() is not { } first || !ProgramFile(first):
                project = Option(arguments, "--prefix", "--cwd") is { } prefix ? Full(prefix) : directory;
                break;
            case "java" when Option(arguments, "-jar", null) is { } jar:
                entry = Full(jar);
                break;
            case "java" when (Option(arguments, "-cp", "-classpath") ?? Option(arguments, "--class-path", null)
                    ?? environment.GetValueOrDefault("CLASSPATH") ?? (operands.Count > 0 ? "." : null)) is { } classPath:
                // ex13: java -cp payments/out PaymentsSvc, read as naming no program folder. Each directory entry is a
                // folder of the program's classes and resources, a jar's folder is where it was deployed; lib/* is libraries.
                // Without -cp the JVM takes CLASSPATH, and without either the working directory (java Main).
                var folders = classPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(e => !e.Contains('*', StringComparison.Ordinal))
                    .Select(e => e.EndsWith(".jar", StringComparison.OrdinalIgnoreCase) || e.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? Path.GetDirectoryName(Full(e))! : Full(e))
                    .Distinct(StringComparer.Ordinal).ToList();
                return new RunProgram(directory, program, arguments, null, folders.FirstOrDefault()) { ClassPath = folders };
            case "uvicorn" or "gunicorn" or "hypercorn" or "daphne" when operands.FirstOrDefault(o => AppSpec().IsMatch(o) || (name == "gunicorn" && ModuleSpec().IsMatch(o))) is { } app:
                // uvicorn pkg.module:app: the module's file under the folder it imports from (--app-dir, --chdir), else that
                // folder. gunicorn may name the module alone (pantry.wsgi: its 'application').
                project = Option(arguments, "--app-dir", "--chdir") is { } appDir ? Full(appDir) : directory;
                var colon = app.IndexOf(':', StringComparison.Ordinal);
                var module = Path.Combine(project, Path.Combine((colon < 0 ? app : app[..colon]).Split('.')));
                entry = File.Exists(module + ".py") ? module + ".py" : File.Exists(Path.Combine(module, "__init__.py")) ? Path.Combine(module, "__init__.py") : null;
                break;
            default:
                if (IsPython(name) && Option(arguments, "-m", null) is not null)
                {
                    project = directory;
                }
                else if (operands.FirstOrDefault(ProgramFile) is { } file)
                {
                    entry = Full(file);
                }
                else if (program.Contains('/', StringComparison.Ordinal) || File.Exists(Full(program)))
                {
                    entry = Full(program);
                }
                else if (arguments.FirstOrDefault(a => ProgramFile(a) && File.Exists(Full(a))) is { } named)
                {
                    entry = Full(named); // a runner Archgate does not know (uv run app.py, gunicorn -c conf.py)
                }

                break;
        }

        return new RunProgram(directory, program, arguments, entry, project);
    }

    /// <summary>The arguments that are not options, nor the values of the options of <paramref name="program"/> that take one.</summary>
    private static List<string> Operands(string program, List<string> arguments)
    {
        string[] valued = program switch
        {
            "node" or "nodejs" or "bun" or "deno" => ["-r", "--require", "--import", "--loader", "--env-file", "--inspect-port", "--conditions", "-C"],
            "dotnet" or "dotnet.exe" => ["--roll-forward", "--fx-version", "--additionalprobingpath", "--depsfile", "--runtimeconfig", "--additional-deps"],
            _ when IsPython(program) => ["-W", "-X", "-c", "-m"],
            "uvicorn" or "gunicorn" or "hypercorn" or "daphne" => ["-b", "--bind", "--host", "--port", "-p", "-w", "--workers", "-k", "--worker-class", "-c", "--config", "--app-dir", "--chdir", "--log-level", "--env-file", "--timeout", "-t", "-e", "--env"],
            _ => [],
        };
        var operands = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (valued.Contains(arguments[i]))
            {
                i++;
            }
            else if (!arguments[i].StartsWith('-'))
            {
                operands.Add(arguments[i]);
            }
        }

        return operands;
    }

    /// <summary>The value of an option (<c>--project P</c> or <c>--project=P</c>).</summary>
    private static string? Option(List<string> arguments, string name, string? alias)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if ((arguments[i] == name || arguments[i] == alias) && i + 1 < arguments.Count)
            {
                return arguments[i + 1];
            }

            if (arguments[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return arguments[i][(name.Length + 1)..];
            }
        }

        return null;
    }

    private static bool IsPython(string name) => name.StartsWith("python", StringComparison.Ordinal);

    private static bool ProgramFile(string word) =>
        Path.GetExtension(word).ToLowerInvariant() is ".dll" or ".exe" or ".jar" or ".js" or ".mjs" or ".cjs" or ".ts" or ".py" or ".sh" or ".rb" or ".php" or ".pl";

    /// <summary>An ASGI/WSGI application as its servers name it: <c>pkg.module:app</c>, <c>app:create_app()</c>.</summary>
    /// <summary>A Python module path (<c>pantry.wsgi</c>), as gunicorn takes one without <c>:app</c>.</summary>
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial Regex ModuleSpec();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.]*(\(.*\))?$")]
    private static partial Regex AppSpec();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
