using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Archgate.Manifest;

/// <summary>
/// Stands between YamlDotNet's parser and its node tree and enforces <see cref="ManifestLimits"/> while the
/// events stream by, before the tree's recursive construction can overflow the stack or an alias bomb can
/// be expanded: nesting depth, values after alias expansion, one document. Those stop the parse
/// (<see cref="ManifestLimitException"/>). Tags, control characters and overlong values are collected and
/// reported together.
/// </summary>
internal sealed class YamlGuard(IParser inner) : IParser
{
    private readonly Stack<(string? Anchor, long Size)> _open = new();
    private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _openAnchors = new(StringComparer.Ordinal);
    private readonly List<(Mark Start, string Message, string Hint)> _problems = [];
    private long _total;
    private int _documents;
    private bool _nextIsName;

    /// <summary>Problems that do not stop the parse; the manifest is not built when there is one.</summary>
    public IReadOnlyList<(Mark Start, string Message, string Hint)> Problems => _problems;

    /// <summary>The start of the last event read: where a parser exception without a position happened.</summary>
    public Mark Last { get; private set; } = Mark.Empty;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        var e = inner.Current!;
        Last = e.Start;
        switch (e)
        {
            case DocumentStart when ++_documents > 1:
                throw new ManifestLimitException(e.Start, "a second YAML document; a manifest is one document",
                    "remove the '---' line and what follows, or move it to a manifest of its own");
            case MappingStart or SequenceStart:
                CheckTag((NodeEvent)e);
                if (_open.Count >= ManifestLimits.MaxDepth)
                {
                    throw new ManifestLimitException(e.Start, $"nested deeper than {ManifestLimits.MaxDepth} levels",
                        "a manifest needs a handful of levels; flatten this value");
                }

                Count(e.Start, 1);
                var anchor = ((NodeEvent)e).Anchor;
                _open.Push((anchor.IsEmpty ? null : anchor.Value, 1));
                if (!anchor.IsEmpty)
                {
                    _openAnchors.Add(anchor.Value);
                }

                _nextIsName = false;
                break;
            case MappingEnd or SequenceEnd:
                var (name, size) = _open.Pop();
                if (name is not null)
                {
                    _anchorSizes[name] = size;
                    _openAnchors.Remove(name);
                }

                AddToParent(size);
                break;
            case Scalar scalar:
                CheckTag(scalar);
                CheckScalar(scalar);
                Count(e.Start, 1);
                AddToParent(1);
                if (!scalar.Anchor.IsEmpty)
                {
                    _anchorSizes[scalar.Anchor.Value] = 1;
                }

                break;
            case AnchorAlias alias:
                if (_openAnchors.Contains(alias.Value.Value))
                {
                    throw new ManifestLimitException(e.Start, $"the alias '*{alias.Value.Value}' refers to the value that contains it",
                        "an alias may only repeat a value that is complete before it");
                }

                if (!_anchorSizes.TryGetValue(alias.Value.Value, out var expanded))
                {
                    throw new ManifestLimitException(e.Start, $"the alias '*{alias.Value.Value}' refers to no anchor '&{alias.Value.Value}' before it",
                        "define the value once with &name, then repeat it with *name");
                }

                Count(e.Start, expanded);
                AddToParent(expanded);
                _nextIsName = false;
                break;
        }

        return true;
    }

    private void Count(Mark at, long nodes)
    {
        _total += nodes;
        if (_total > ManifestLimits.MaxNodes)
        {
            throw new ManifestLimitException(at, $"the manifest holds more than {ManifestLimits.MaxNodes:N0} values once aliases are expanded",
                "an alias repeats its whole value each time it is used; write the value once, or make it smaller");
        }
    }

    private void AddToParent(long size)
    {
        if (_open.TryPop(out var parent))
        {
            _open.Push((parent.Anchor, parent.Size + size));
        }
    }

    private void CheckTag(NodeEvent e)
    {
        // '!' (non-specific) and the plain-string, map and seq tags change nothing for a manifest; any other tag would
        // be silently ignored, so it is refused.
        if (e.Tag.IsEmpty || e.Tag.IsNonSpecific || e.Tag.Value is "tag:yaml.org,2002:str" or "tag:yaml.org,2002:map" or "tag:yaml.org,2002:seq")
        {
            return;
        }

        _problems.Add((e.Start, $"YAML tags are not supported ('{Printable.Escape(e.Tag.Value)}')", "remove the tag; a manifest holds plain values"));
    }

    private void CheckScalar(Scalar scalar)
    {
        var value = scalar.Value;
        // A key, and the value right after a 'name' key, are identifiers: they reach file names, reports and the terminal.
        var identifier = scalar.IsKey || _nextIsName;
        _nextIsName = scalar.IsKey && value == "name";
        var limit = identifier ? ManifestLimits.MaxIdentifierLength : ManifestLimits.MaxValueLength;
        if (value.Length > limit)
        {
            _problems.Add((scalar.Start, $"{(identifier ? "a key or name" : "a value")} longer than {limit:N0} characters ({value.Length:N0})",
                identifier ? "use a short name" : "put large content in a file next to the manifest"));
            return;
        }

        var bad = identifier ? value.IndexOfAny(Printable.ControlCharacters) : Printable.IndexOfControl(value);
        if (bad >= 0)
        {
            _problems.Add((scalar.Start, $"a control character ({Printable.Escape(value[bad].ToString())}) in {(identifier ? "a key or name" : "a value")}",
                "remove it; escapes such as \\e, \\0 or \\x07 in quoted text produce control characters"));
        }
    }
}

/// <summary>A limit of <see cref="ManifestLimits"/> was passed, or the document cannot be read safely; the parse stops here.</summary>
internal sealed class ManifestLimitException(Mark start, string message, string hint) : Exception(message)
{
    public Mark Start { get; } = start;

    public string Hint { get; } = hint;
}
