using System.Globalization;
using Archgate.Manifest.Secrets;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>
/// Typed reads over YamlDotNet's node tree that never throw and never stop at the first problem:
/// each wrong value becomes a <see cref="ManifestError"/> at the node's position.
/// </summary>
/// <remarks>
/// With <paramref name="allowUnset"/> (<see cref="ManifestLoadOptions.AllowUnsetVariables"/>), a value that uses an unset
/// variable without default is a warning, reads as absent, and no error is reported at its position: whatever a reader
/// would say about a value nobody gave (not a number, not a URL) says nothing about the manifest.
/// </remarks>
internal sealed class YamlReader(string file, Func<string, string?> environment, Func<string, SecretLookup>? secrets = null, bool allowUnset = false)
{
    private readonly List<ManifestError> _errors = [];

    /// <summary>Where the values that use an unset variable are (line, column): with allowUnset, not checked.</summary>
    private readonly HashSet<(long Line, long Column)> _unchecked = [];

    private readonly List<string> _unset = [];
    private readonly List<string> _unread = [];
    private readonly List<SecretSource> _sources = [];
    private readonly HashSet<string> _storeSecrets = new(StringComparer.Ordinal);

    /// <summary>Values taken from the environment, longest first: no error message may echo one.</summary>
    private readonly SortedSet<(string Value, string Name)> _fromEnvironment = new(
        Comparer<(string Value, string Name)>.Create((a, b) => b.Value.Length != a.Value.Length ? b.Value.Length - a.Value.Length : string.CompareOrdinal(a.Value, b.Value)));

    private readonly List<ManifestError> _warnings = [];

    public IReadOnlyList<ManifestError> Errors => _errors;

    /// <summary>Where each <c>${...}</c> value read so far came from, once per path and reference.</summary>
    public IReadOnlyList<SecretSource> Sources => _sources;

    /// <summary>The values read from secret stores so far.</summary>
    public IReadOnlyList<string> StoreSecrets => [.. _storeSecrets];

    /// <summary>Sees every key list the readers accept, with the path it applies at: the schema test holds the schema to them.</summary>
    internal static AsyncLocal<Action<string, string[]>?> KeysObserved { get; } = new();

    /// <summary>What loads but should be written differently (deprecated spellings).</summary>
    public IReadOnlyList<ManifestError> Warnings => _warnings;

    /// <summary>The variables used without default that are not set, each once, in the order they were met.</summary>
    public IReadOnlyList<string> Unset => _unset;

    /// <summary>The secret references left unread (no store contacted), each once, in the order they were met.</summary>
    public IReadOnlyList<string> Unread => _unread;

    public void Warn(YamlNode node, string path, string message, string hint) =>
        _warnings.Add(new ManifestError(file, (int)node.Start.Line, (int)node.Start.Column, Hide(path), Hide(message), Hide(hint)) { IsWarning = true });

    public void Error(YamlNode node, string path, string message, string? hint = null) =>
        Error(node.Start.Line, node.Start.Column, path, message, hint);

    public void Error(long line, long column, string path, string message, string? hint = null)
    {
        if (_unchecked.Contains((line, column)))
        {
            return;
        }

        _errors.Add(new ManifestError(file, (int)line, (int)column, Hide(path), Hide(message), hint is null ? null : Hide(hint)));
    }

    /// <summary>Replaces every value that came from the environment with the variable's name; escapes control characters.</summary>
    private string Hide(string text)
    {
        foreach (var (value, name) in _fromEnvironment)
        {
            // Very short values ('1', 'on') are no secret, and replacing them would garble the message.
            if (value.Length >= 4)
            {
                text = text.Replace(value, $"${{{name}}}", StringComparison.Ordinal);
            }
        }

        return Printable.Escape(text);
    }

    /// <summary>How an error shows the text of <paramref name="node"/>: quoted, or, when it came from the environment, its template only.</summary>
    private static string Shown(YamlNode? node, string text) =>
        node is YamlScalarNode { Value: { } raw } && raw.Contains("${", StringComparison.Ordinal)
            ? $"'{raw}' (its value from the environment is not shown)"
            : $"'{text}'";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when string.IsNullOrEmpty(s.Value) => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    /// <summary>Checks every key of <paramref name="map"/> against <paramref name="allowed"/>.</summary>
    public void AllowKeys(YamlMappingNode map, string path, params string[] allowed)
    {
        KeysObserved.Value?.Invoke(path, allowed);
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Error(key, Join(path, name), $"unknown key '{name}'",
                    Suggest.DidYouMean(name, allowed, "allowed keys here: "));
            }
        }
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public YamlMappingNode? Mapping(YamlNode? node, string path)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlMappingNode map:
                return map;
            default:
                Error(node, path, $"expected a mapping (key: value), found {Describe(node)}");
                return null;
        }
    }

    /// <summary>
    /// The items of <paramref name="list"/> that are mappings, each with its path (<c>path[i]</c>); an item that is not a
    /// mapping is reported and skipped. Enumerate once: the errors are reported as it goes.
    /// </summary>
    public IEnumerable<(YamlMappingNode Map, string Path)> MappingItems(YamlSequenceNode? list, string path)
    {
        var index = 0;
        foreach (var item in list?.Children ?? [])
        {
            var at = $"{path}[{index++}]";
            if (Mapping(item, at) is { } map)
            {
                yield return (map, at);
            }
        }
    }

    /// <summary>The list at <paramref name="node"/> (if any; reported when not a list), as <see cref="MappingItems"/>.</summary>
    public IEnumerable<(YamlMappingNode Map, string Path)> MappingList(YamlNode? node, string path) => MappingItems(Sequence(node, path), path);

    public YamlSequenceNode? Sequence(YamlNode? node, string path)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlSequenceNode seq:
                return seq;
            default:
                Error(node, path, $"expected a list, found {Describe(node)}",
                    node is YamlScalarNode s ? $"write a list: [{s.Value}]" : null);
                return null;
        }
    }

    /// <summary>A required child; reports "missing required field" at the mapping when absent.</summary>
    public YamlNode? Required(YamlMappingNode map, string path, string key, string? hint = null)
    {
        var node = Get(map, key);
        if (node is null || IsNull(node))
        {
            Error(map, Join(path, key), $"missing required field '{key}'", hint);
            return null;
        }

        return node;
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" };

    /// <summary>
    /// The duration under <paramref name="key"/> of <paramref name="map"/>, which must be above 0 and at most
    /// <paramref name="max"/> (Archgate keeps every probe bounded in time); null when absent or wrong.
    /// </summary>
    public TimeSpan? BoundedDuration(YamlMappingNode map, string path, string key, TimeSpan max)
    {
        var node = Get(map, key);
        var value = Duration(node, $"{path}.{key}");
        if (value is not null && (value <= TimeSpan.Zero || value > max))
        {
            Error(node!, $"{path}.{key}", $"{key} must be above 0 and at most {ValueParsers.FormatDuration(max)}",
                "Archgate keeps every probe bounded in time");
            return null;
        }

        return value;
    }

    /// <summary>A scalar string with <c>${VAR}</c> expanded; null when absent.</summary>
    public string? String(YamlNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, $"expected a text value, found {Describe(node)}");
            return null;
        }

        var missing = new List<string>();
        var used = new List<(string Name, string Value)>();
        var defaulted = new List<string>();
        var resolved = new List<(string Reference, SecretLookup Lookup)>();
        var value = Interpolation.Expand(scalar.Value ?? string.Empty, environment, missing, used, defaulted, secrets, resolved);
        foreach (var name in missing.Distinct(StringComparer.Ordinal))
        {
            if (!_unset.Contains(name, StringComparer.Ordinal))
            {
                _unset.Add(name);
            }

            var hint = $"set {name}, or give a default: ${{{name}:-value}}";
            if (!allowUnset)
            {
                Error(node, path, $"environment variable '{name}' is not set and has no default", hint);
            }
            else if (!_unchecked.Contains((node.Start.Line, node.Start.Column)))
            {
                Warn(node, path, $"environment variable '{name}' is not set and has no default: this value was not checked ('archgate run' needs it)", hint);
            }
        }

        if (missing.Count > 0 && allowUnset)
        {
            // Read again (a key some readers look at twice) it warns no more: one warning per place and variable.
            _unchecked.Add((node.Start.Line, node.Start.Column));
        }

        var failed = false;
        foreach (var (reference, lookup) in resolved)
        {
            if (lookup.IsUnread)
            {
                // Like an unset variable with allowUnset: one warning per place, and the value reads as absent.
                if (!_unread.Contains(reference, StringComparer.Ordinal))
                {
                    _unread.Add(reference);
                }

                if (_unchecked.Add((node.Start.Line, node.Start.Column)))
                {
                    Warn(node, path, $"${{{reference}}} was not read: this command contacts no secret store, so this value was not checked",
                        "'archgate run' reads it (and 'archgate doctor' checks that the store answers)");
                }

                failed = true;
                continue;
            }

            if (lookup.Value is null)
            {
                Error(node, path, $"${{{reference}}}: {lookup.Problem}", lookup.Hint);
                failed = true;
                continue;
            }

            _fromEnvironment.Add((lookup.Value, reference));
            _storeSecrets.Add(lookup.Value);
            Source(node, path, SecretStores.StoreOf(reference) == "vault" ? SecretOrigin.Vault : SecretOrigin.AwsSecretsManager, reference);
        }

        foreach (var (name, _) in used)
        {
            Source(node, path, SecretOrigin.Environment, name);
        }

        foreach (var name in defaulted)
        {
            Source(node, path, SecretOrigin.ManifestDefault, name);
        }

        var control = false;
        foreach (var (name, text) in used)
        {
            _fromEnvironment.Add((text, name));
            if (Printable.IndexOfControl(text) >= 0)
            {
                Error(node, path, $"environment variable '{name}' holds a control character", $"remove it from {name}");
                control = true;
            }
        }

        return missing.Count > 0 || control || failed ? null : value;
    }

    private void Source(YamlNode node, string path, SecretOrigin origin, string reference)
    {
        if (!_sources.Any(s => s.Path == path && s.Reference == reference))
        {
            _sources.Add(new SecretSource(path, (int)node.Start.Line, origin, reference));
        }
    }

    public bool? Bool(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        switch (text)
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                Error(node!, path, $"expected true or false, found {Shown(node, text)}");
                return null;
        }
    }

    public int? Int(YamlNode? node, string path, int min, int max)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(node!, path, $"expected a whole number, found {Shown(node, text)}");
            return null;
        }

        if (value < min || value > max)
        {
            Error(node!, path, $"{value} is out of range", $"use a number from {min} to {max}");
            return null;
        }

        return value;
    }

    public TimeSpan? Duration(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (ValueParsers.TryParseDuration(text, out var value))
        {
            if (value <= ManifestLimits.MaxDuration)
            {
                return value;
            }

            Error(node!, path, $"duration {Shown(node, text)} is longer than {ManifestLimits.MaxDuration.TotalDays:0} days", "durations are from 0ms to 168h");
            return null;
        }

        Error(node!, path, $"invalid duration {Shown(node, text)}", "write a number with a unit: 250ms, 10s, 2m or 1h");
        return null;
    }

    public double? Percent(YamlNode? node, string path)
    {
        var text = String(node, path);
        if (text is null)
        {
            return null;
        }

        if (ValueParsers.TryParsePercent(text, out var value))
        {
            return value;
        }

        Error(node!, path, $"invalid percentage {Shown(node, text)}", "write a percentage from 0% to 100%, for example 1% or 0.5%");
        return null;
    }

    /// <summary>A list of strings; a single scalar is not accepted (the hint shows the list form).</summary>
    public IReadOnlyList<(string Value, YamlNode Node)> StringList(YamlNode? node, string path)
    {
        var seq = Sequence(node, path);
        if (seq is null)
        {
            return [];
        }

        var result = new List<(string, YamlNode)>();
        var index = 0;
        foreach (var item in seq.Children)
        {
            var value = String(item, $"{path}[{index++}]");
            if (value is not null)
            {
                result.Add((value, item));
            }
        }

        return result;
    }

    public Dictionary<string, string> StringMap(YamlNode? node, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var map = Mapping(node, path);
        if (map is null)
        {
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            var text = String(value, Join(path, name));
            if (text is not null)
            {
                result[name] = text;
            }
        }

        return result;
    }
}
