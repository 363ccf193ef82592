using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.Import;

/// <summary>
/// Writes an <see cref="ImportedSystem"/> as a commented archgate.yaml: what was inferred as values, what was not as a
/// TODO comment with its reason. A value the manifest requires (a service's url) is written as a placeholder with its TODO,
/// so the file validates as written.
/// </summary>
internal static partial class ManifestWriter
{
    /// <summary>The file name of the schema 'init' writes beside the manifest, named in its yaml-language-server line.</summary>
    public const string SchemaFileName = "archgate.schema.json";

    public static string Write(ImportedSystem system, string command)
    {
        var w = new StringBuilder();
        void Line(string text = "") => w.Append(text).Append('\n');

        Line($"# yaml-language-server: $schema={SchemaFileName}");
        Line($"# Written by '{command}' from {system.Source}.");
        Line("# Review every TODO, then run 'archgate validate' and 'archgate plan'. Reference: docs/manifest.md");
        foreach (var note in system.Notes)
        {
            Line($"# {note}");
        }

        Line("version: 1");
        Line();
        Line("system:");
        Line($"  name: {Scalar(system.Name)}");
        Line("  owners: { architect: architect@example.test }   # TODO: who signs runs off (not in the source)");
        Line();
        Line("targets:");
        Line("  allow: [127.0.0.1, localhost]");
        Line();
        Line("components:");
        var checkable = system.Components.Where(c => c.Kind is not null).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var first = true;
        foreach (var component in system.Components)
        {
            if (!first)
            {
                Line();
            }

            first = false;
            if (component.Kind is null)
            {
                WriteUnsupported(component, Line);
            }
            else
            {
                WriteComponent(component, checkable, Line);
            }
        }

        return w.ToString();
    }

    private static void WriteComponent(ImportedComponent c, HashSet<string> checkable, Action<string> line)
    {
        if (c.Origin is not null)
        {
            line($"  # {c.Name}: {c.Origin}");
        }

        foreach (var note in c.Notes)
        {
            line($"  # {note}");
        }

        line($"  - name: {Scalar(c.Name)}");
        line($"    kind: {c.Kind}");
        if (c.Url is not null)
        {
            line($"    url: {Scalar(c.Url)}" + (c.UrlTodo is null ? string.Empty : $"   # TODO: {c.UrlTodo}"));
            if (c.Reach is not null)
            {
                line($"    # reach it from this machine: {c.Reach}");
            }
        }

        if (c.Engine is not null)
        {
            line($"    engine: {c.Engine}");
        }

        if (c.Connection is not null)
        {
            line($"    connection: {Quoted(c.Connection)}" + (c.ConnectionTodo is null ? string.Empty : $"   # TODO: {c.ConnectionTodo}"));
            if (c.Reach is not null && c.Url is null)
            {
                line($"    # reach it from this machine: {c.Reach}");
            }
        }

        if (c.Kind == "service")
        {
            if (c.Health is not null)
            {
                line($"    health: {Scalar(c.Health)}" + (c.HealthTodo is null ? string.Empty : $"   # TODO: {c.HealthTodo}"));
            }
            else
            {
                line($"    # health: /health   # TODO: {c.HealthTodo ?? "no health check in the source"}");
            }

            line(c.OpenApi is not null
                ? $"    openapi: {Scalar(c.OpenApi)}   # as the running service served it"
                : "    # openapi: contracts/" + c.Name + ".json   # TODO: the contract (init --discover-openapi fetches it from a running service)");
        }

        if (c.DependsOn.Count > 0)
        {
            line(c.DependsOn.Any(d => checkable.Contains(d.Name)) ? "    dependsOn:" : "    # dependsOn:");
            foreach (var (name, note) in c.DependsOn)
            {
                var comment = note is null ? string.Empty : $"   # {note}";
                line(checkable.Contains(name)
                    ? $"      - {Scalar(name)}{comment}"
                    : $"      # - {name}   # not checked: see the commented-out component {name}");
            }
        }

        if (c.Run is { } run)
        {
            foreach (var note in run.Notes)
            {
                line($"    # {note}");
            }

            line("    run:");
            line($"      command: {Scalar(run.Command)}");
            if (run.Env.Count > 0)
            {
                line("      env:");
                foreach (var (key, value) in run.Env)
                {
                    line($"        {Scalar(key)}: {Quoted(value)}");
                }
            }

            if (run.ReadyHttp is not null)
            {
                line($"      ready: {{ http: {Scalar(run.ReadyHttp)}, timeout: 120s }}");
            }
            else if (run.ReadyTcp is { } port)
            {
                line($"      ready: {{ tcp: {port.ToString(CultureInfo.InvariantCulture)}, timeout: 120s }}");
            }
            else if (run.ReadyLog is { } log)
            {
                line($"      ready: {{ log: {Quoted(log)}, timeout: 120s }}");
            }
        }
        else if (c.RunTodo is not null)
        {
            line($"    # run: {{ command: ... }}   # TODO: {c.RunTodo}");
        }
    }

    private static void WriteUnsupported(ImportedComponent c, Action<string> line)
    {
        line($"  # {c.Name}: {c.Origin}; {c.Unsupported}");
        line($"  # - name: {c.Name}");
        line("  #   kind: database");
        if (c.Connection is not null)
        {
            line($"  #   connection: {Quoted(c.Connection)}");
        }

        if (c.Reach is not null)
        {
            line($"  #   reach it from this machine: {c.Reach}");
        }
    }

    /// <summary>A scalar written plain when YAML reads it back unchanged as a string, else double-quoted.</summary>
    public static string Scalar(string value) =>
        Plain().IsMatch(value) && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal)
            && !Special().IsMatch(value)
            ? value
            : Quoted(value);

    /// <summary>Always double-quoted (JSON escaping is valid YAML).</summary>
    public static string Quoted(string value) => JsonSerializer.Serialize(value, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[A-Za-z0-9/_.@$][A-Za-z0-9/_.@:+=,;${}() -]*(?<! )$")]
    private static partial Regex Plain();

    [GeneratedRegex(@"^(?:true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.eE+-]*)$", RegexOptions.IgnoreCase)]
    private static partial Regex Special();
}
