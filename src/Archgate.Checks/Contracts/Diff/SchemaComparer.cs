using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// Compares two schemas recursively at one place of an operation (a parameter, a body, a header) and reports
/// each difference with the rule its side calls for: stricter breaks requests, looser breaks responses.
/// </summary>
internal sealed class SchemaComparer
{
    private const int MaxDepth = 48;

    // Schemas shared along many routes (a DAG, not a cycle) are compared once per route; the budget keeps a
    // pathological document from taking minutes. It is far above what real contracts need per body.
    private const int MaxComparisons = 20_000;
    private int _comparisons;
    private readonly ChangeSink _sink;
    private readonly SchemaContext _context;
    private readonly SchemaContext _propertyContext;
    private readonly string _operation;
    private readonly string _where;
    private readonly string _subject;
    private readonly bool _showRootPath;
    private readonly HashSet<(object, object)> _onPath = new(PairComparer.Instance);

    /// <param name="sink">Where the changes go.</param>
    /// <param name="context">Which side and place the schema is in.</param>
    /// <param name="operation">The operation, such as <c>GET /orders/{id}</c>.</param>
    /// <param name="where">The location prefix, such as <c>response 200 application/json</c>.</param>
    /// <param name="subject">How messages name the root, such as <c>response body</c>.</param>
    /// <param name="showRootPath">Whether the location of a root change ends in <c>$</c> (bodies) or not (parameters).</param>
    public SchemaComparer(ChangeSink sink, SchemaContext context, string operation, string where, string subject, bool showRootPath)
    {
        _sink = sink;
        _context = context;
        _propertyContext = context switch
        {
            SchemaContext.RequestParameter => SchemaContext.RequestBody,
            SchemaContext.ResponseHeader => SchemaContext.ResponseBody,
            _ => context,
        };
        _operation = operation;
        _where = where;
        _subject = subject;
        _showRootPath = showRootPath;
    }

    /// <summary>A trial comparison in the same place, into <paramref name="sink"/>.</summary>
    private SchemaComparer(SchemaComparer parent, ChangeSink sink)
        : this(sink, parent._context, parent._operation, parent._where, parent._subject, parent._showRootPath)
    {
        _comparisons = parent._comparisons;
        _onPath.UnionWith(parent._onPath);
    }

    private bool IsRequest => _context is SchemaContext.RequestParameter or SchemaContext.RequestBody;

    public void Compare(IOpenApiSchema? oldSchema, IOpenApiSchema? newSchema) => Compare(oldSchema, newSchema, "$", 0);

    private void Compare(IOpenApiSchema? oldSchema, IOpenApiSchema? newSchema, string path, int depth)
    {
        if (oldSchema is null || newSchema is null || depth > MaxDepth || ++_comparisons > MaxComparisons)
        {
            return;
        }

        var key = (SchemaView.Identity(oldSchema), SchemaView.Identity(newSchema));
        if (!_onPath.Add(key))
        {
            return; // A recursive schema: this pair is already being compared further up.
        }

        try
        {
            var o = SchemaView.Of(oldSchema);
            var n = SchemaView.Of(newSchema);
            if (!CompareTypes(o, n, path))
            {
                return; // Incompatible types: what lies below no longer lines up.
            }

            CompareFlags(o, n, path);
            CompareFormat(o, n, path);
            CompareEnum(o, n, path);
            CompareBounds(o, n, path);
            ComparePattern(o, n, path);
            CompareAdditionalProperties(o, n, path, depth);
            CompareProperties(o, n, path, depth);
            Compare(o.Items, n.Items, path + "[*]", depth + 1);
            CompareMembers(o.OneOf, n.OneOf, "oneOf", 29, 30, path, depth);
            CompareMembers(o.AnyOf, n.AnyOf, "anyOf", 38, 39, path, depth);
            if (o.Extras.AllOf.Count > 0 && n.Extras.AllOf.Count > 0)
            {
                // allOf parts are merged into one view; a schema that only starts or stops being composed is a refactoring.
                CompareMembers(o.Extras.AllOf, n.Extras.AllOf, "allOf", 41, 40, path, depth, recurse: false);
            }

            new KeywordComparer(this, o.Extras, n.Extras, path, depth).Compare();
        }
        finally
        {
            _onPath.Remove(key);
        }
    }

    private bool CompareTypes(SchemaView o, SchemaView n, string path)
    {
        var (oldTypes, newTypes) = (o.Accepted, n.Accepted);
        if (oldTypes == newTypes)
        {
            return true;
        }

        if ((oldTypes & newTypes) == oldTypes)
        {
            Report(2, path, $"type of {Subject(path)} was widened from {o.TypeText} to {n.TypeText}", o.TypeText, n.TypeText);
            return true;
        }

        if ((oldTypes & newTypes) == newTypes)
        {
            Report(3, path, $"type of {Subject(path)} was narrowed from {o.TypeText} to {n.TypeText}", o.TypeText, n.TypeText);
            return true;
        }

        Report(1, path, $"type of {Subject(path)} changed from {o.TypeText} to {n.TypeText}", o.TypeText, n.TypeText);
        return false;
    }

    private void CompareFlags(SchemaView o, SchemaView n, string path)
    {
        if (!o.Nullable && n.Nullable)
        {
            Report(7, path, $"{Subject(path)} became nullable", o.TypeText, n.TypeText);
        }
        else if (o.Nullable && !n.Nullable)
        {
            Report(8, path, $"{Subject(path)} became not nullable", o.TypeText, n.TypeText);
        }

        if (!o.Deprecated && n.Deprecated && path != "$")
        {
            Report(31, path, $"{Subject(path)} was deprecated");
        }
        else if (o.Deprecated && !n.Deprecated && path != "$")
        {
            Report(50, path, $"{Subject(path)} is no longer deprecated");
        }
    }

    private void CompareFormat(SchemaView o, SchemaView n, string path)
    {
        if (string.Equals(o.Format, n.Format, StringComparison.Ordinal))
        {
            return;
        }

        var (kind, text) = (o.Format, n.Format) switch
        {
            (null, _) => (5, $"format {n.Format} was set on {Subject(path)}"),
            (_, null) => (6, $"format {o.Format} was removed from {Subject(path)}"),
            _ => (4, $"format of {Subject(path)} changed from {o.Format} to {n.Format}"),
        };
        Report(kind, path, text, o.Format, n.Format);
    }

    private void CompareEnum(SchemaView o, SchemaView n, string path)
    {
        if (o.Enum.Count == 0 && n.Enum.Count > 0)
        {
            Report(11, path, $"{Subject(path)} was restricted to the values {string.Join(", ", n.Enum)}", null, string.Join(", ", n.Enum));
            return;
        }

        if (o.Enum.Count > 0 && n.Enum.Count == 0)
        {
            Report(10, path, $"the enum restriction of {Subject(path)} was removed", string.Join(", ", o.Enum), null);
            return;
        }

        foreach (var value in o.Enum.Except(n.Enum, StringComparer.Ordinal))
        {
            Report(9, path, $"enum value {value} was removed from {Subject(path)}", value, null);
        }

        foreach (var value in n.Enum.Except(o.Enum, StringComparer.Ordinal))
        {
            Report(10, path, $"enum value {value} was added to {Subject(path)}", null, value);
        }
    }

    private void CompareBounds(SchemaView o, SchemaView n, string path)
    {
        Upper(path, "maxLength", Int(o.MaxLength), Int(n.MaxLength), decreased: 12, increased: 13, set: 32, unset: 36);
        Lower(path, "minLength", Int(o.MinLength), Int(n.MinLength), increased: 14, decreased: 15, set: 14, unset: 15);
        Upper(path, "maximum", o.Maximum, n.Maximum, decreased: 16, increased: 17, set: 33, unset: 17);
        Lower(path, "minimum", o.Minimum, n.Minimum, increased: 18, decreased: 19, set: 34, unset: 19);
        Upper(path, "maxItems", Int(o.MaxItems), Int(n.MaxItems), decreased: 20, increased: 21, set: 20, unset: 21);
        Lower(path, "minItems", Int(o.MinItems), Int(n.MinItems), increased: 22, decreased: 23, set: 35, unset: 37);
    }

    internal static Bound? Int(int? value) => value is { } v ? new Bound(v, false) : null;

    internal void Upper(string path, string keyword, Bound? oldBound, Bound? newBound, int decreased, int increased, int set, int unset)
    {
        var order = CompareBound(oldBound, newBound, upper: true);
        if (order != 0)
        {
            var kind = oldBound is null ? set : newBound is null ? unset : order < 0 ? decreased : increased;
            Report(kind, path, BoundMessage(path, keyword, oldBound, newBound, order < 0 ? "lowered" : "raised"), oldBound?.ToString(), newBound?.ToString());
        }
    }

    internal void Lower(string path, string keyword, Bound? oldBound, Bound? newBound, int increased, int decreased, int set, int unset)
    {
        if (newBound is { Value: 0, Exclusive: false } && oldBound is null && keyword is "minLength" or "minItems" or "minContains")
        {
            return; // minLength: 0 says nothing new.
        }

        var order = CompareBound(oldBound, newBound, upper: false);
        if (order != 0)
        {
            var kind = oldBound is null ? set : newBound is null ? unset : order > 0 ? increased : decreased;
            Report(kind, path, BoundMessage(path, keyword, oldBound, newBound, order > 0 ? "raised" : "lowered"), oldBound?.ToString(), newBound?.ToString());
        }
    }

    /// <summary>Negative when the new bound admits less at the top (upper) or more at the bottom (lower).</summary>
    private static int CompareBound(Bound? oldBound, Bound? newBound, bool upper)
    {
        if (oldBound == newBound)
        {
            return 0;
        }

        // An absent bound is infinity: +inf for an upper bound, -inf for a lower one.
        if (oldBound is null)
        {
            return upper ? -1 : 1;
        }

        if (newBound is null)
        {
            return upper ? 1 : -1;
        }

        var byValue = newBound.Value.CompareTo(oldBound.Value);
        if (byValue != 0)
        {
            return byValue;
        }

        // Same number: exclusive is the tighter of the two.
        var tighter = newBound.Exclusive && !oldBound.Exclusive;
        return upper ? (tighter ? -1 : 1) : (tighter ? 1 : -1);
    }

    private string BoundMessage(string path, string keyword, Bound? oldBound, Bound? newBound, string verb) => (oldBound, newBound) switch
    {
        (null, _) => $"{keyword} of {Subject(path)} was set to {newBound}",
        (_, null) => $"{keyword} of {Subject(path)} was removed (was {oldBound})",
        _ => $"{keyword} of {Subject(path)} was {verb} from {oldBound} to {newBound}",
    };

    private void ComparePattern(SchemaView o, SchemaView n, string path)
    {
        if (string.Equals(o.Pattern, n.Pattern, StringComparison.Ordinal))
        {
            return;
        }

        var (kind, text) = (o.Pattern, n.Pattern) switch
        {
            (null, _) => (24, $"pattern {n.Pattern} was set on {Subject(path)}"),
            (_, null) => (26, $"pattern {o.Pattern} was removed from {Subject(path)}"),
            _ => (25, $"pattern of {Subject(path)} changed from {o.Pattern} to {n.Pattern}"),
        };
        Report(kind, path, text, o.Pattern, n.Pattern);
    }

    private void CompareAdditionalProperties(SchemaView o, SchemaView n, string path, int depth)
    {
        if (o.AdditionalAllowed && !n.AdditionalAllowed)
        {
            Report(27, path, $"{Subject(path)} no longer admits additional properties", "true", "false");
        }
        else if (!o.AdditionalAllowed && n.AdditionalAllowed)
        {
            Report(28, path, $"{Subject(path)} now admits additional properties", "false", "true");
        }

        Compare(o.AdditionalSchema, n.AdditionalSchema, path + ".*", depth + 1);
    }

    private void CompareProperties(SchemaView o, SchemaView n, string path, int depth)
    {
        // A readOnly property never travels in a request, a writeOnly one never in a response.
        bool Travels(IOpenApiSchema schema) => IsRequest ? !schema.ReadOnly : !schema.WriteOnly;

        var removed = o.Properties.Where(p => Travels(p.Value) && !n.Properties.ContainsKey(p.Key)).ToList();
        var added = n.Properties.Where(p => Travels(p.Value) && !o.Properties.ContainsKey(p.Key)).ToList();
        foreach (var (name, schema) in removed)
        {
            var childPath = Child(path, name);
            var renamed = added.Where(a => SchemaView.Of(a.Value).TypeText == SchemaView.Of(schema).TypeText).Select(a => a.Key).ToList();
            var hint = renamed.Count == 1 ? $" (renamed to {renamed[0]}?)" : "";
            var wasRequired = o.Required.Contains(name);
            var kind = IsRequest || wasRequired ? 51 : 52;
            var what = wasRequired ? "required property" : "property";
            ReportProperty(kind, childPath, $"{what} {childPath} was removed from the {_subject}{hint}", name, null);
        }

        foreach (var (name, _) in added)
        {
            var childPath = Child(path, name);
            var required = n.Required.Contains(name);
            ReportProperty(required ? 53 : 54, childPath, $"{(required ? "required" : "optional")} property {childPath} was added to the {_subject}", null, name,
                required && IsRequest && HasDefault(n.Properties[name]) ? "new-required-request-property-with-default" : null);
        }

        foreach (var (name, oldSchema) in o.Properties)
        {
            if (!n.Properties.TryGetValue(name, out var newSchema) || !(Travels(oldSchema) || Travels(newSchema)))
            {
                continue;
            }

            var childPath = Child(path, name);
            var (wasRequired, isRequired) = (o.Required.Contains(name), n.Required.Contains(name));
            if (!wasRequired && isRequired)
            {
                ReportProperty(55, childPath, $"property {childPath} of the {_subject} became required", "optional", "required",
                    IsRequest && HasDefault(newSchema) ? "request-property-became-required-with-default" : null);
            }
            else if (wasRequired && !isRequired)
            {
                ReportProperty(56, childPath, $"property {childPath} of the {_subject} became optional", "required", "optional");
            }

            CompareAccess(oldSchema, newSchema, childPath, wasRequired || isRequired);
            Compare(oldSchema, newSchema, childPath, depth + 1);
        }
    }

    /// <summary>readOnly / writeOnly switched on or off; oasdiff names the case by whether the property is required.</summary>
    private void CompareAccess(IOpenApiSchema oldSchema, IOpenApiSchema newSchema, string path, bool required)
    {
        var (o, n) = (SchemaView.Of(oldSchema), SchemaView.Of(newSchema));
        var side = IsRequest ? "request" : "response";
        void Access(bool before, bool after, int on, int off, string keyword)
        {
            if (before != after)
            {
                var what = after ? keyword : $"not-{keyword}";
                ReportProperty(after ? on : off, path, $"property {path} of the {_subject} became {(after ? "" : "not ")}{keyword}", before.ToString(), after.ToString(),
                    $"{side}-{(required ? "required" : "optional")}-property-became-{what}");
            }
        }

        Access(o.ReadOnly, n.ReadOnly, 96, 97, "read-only");
        Access(o.WriteOnly, n.WriteOnly, 98, 99, "write-only");
    }

    /// <summary>Members of oneOf/anyOf/allOf, paired as <see cref="MemberMatcher"/> says; inline members are named by their old position.</summary>
    private void CompareMembers(IReadOnlyList<IOpenApiSchema> o, IReadOnlyList<IOpenApiSchema> n, string keyword, int removed, int added, string path, int depth, bool recurse = true)
    {
        if (o.Count == 0 && n.Count == 0)
        {
            return;
        }

        var oldLabels = o.Select(SchemaView.Label).ToList();
        var newLabels = n.Select(SchemaView.Label).ToList();
        var match = MemberMatcher.Match(o, n, (a, b) => Equivalent(a, b, $"{path}.{keyword}[]", depth + 1));
        for (var i = 0; i < o.Count; i++)
        {
            if (match[i] < 0)
            {
                Report(removed, path, $"{keyword} member {oldLabels[i]} was removed from {Subject(path)}", oldLabels[i], null);
            }
            else if (recurse)
            {
                Compare(o[i], n[match[i]], $"{path}.{keyword}[{oldLabels[i]}]", depth + 1);
            }
        }

        for (var j = 0; j < n.Count; j++)
        {
            if (!match.Contains(j))
            {
                Report(added, path, $"{keyword} member {newLabels[j]} was added to {Subject(path)}", null, newLabels[j]);
            }
        }
    }

    /// <summary>
    /// Whether comparing the two schemas here would report nothing, found by comparing them into a sink of its own.
    /// The trial shares this comparison's budget and the pairs already on its path.
    /// </summary>
    private bool Equivalent(IOpenApiSchema oldSchema, IOpenApiSchema newSchema, string path, int depth)
    {
        var trial = new SchemaComparer(this, new ChangeSink());
        trial.Compare(oldSchema, newSchema, path, depth);
        _comparisons = trial._comparisons;
        return trial._sink.Changes.Count == 0 && _comparisons <= MaxComparisons;
    }

    /// <summary>Compares two subschemas found under a keyword (<c>contains</c>, <c>patternProperties</c>...).</summary>
    internal void CompareChild(IOpenApiSchema? o, IOpenApiSchema? n, string path, int depth) => Compare(o, n, path, depth + 1);

    internal string Subject(string path) => path == "$" ? $"the {_subject}" : path;

    private static string Child(string path, string name) =>
        name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-') ? $"{path}.{name}" : $"{path}['{name}']";

    private string Location(string path) => path == "$" && !_showRootPath ? _where : $"{_where} {path}";

    internal void Report(int kind, string path, string message, string? oldValue = null, string? newValue = null)
    {
        // Keywords of structured values have rules for bodies only; in a parameter or header they are read as the body rules of its side.
        var context = DiffRules.HasSchemaRule(_context, kind) ? _context : _propertyContext;
        var rule = DiffRules.Schema(context, kind);
        _sink.Add(rule, path == "$" ? rule.RootAlias : null, _operation, Location(path), message, oldValue, newValue);
    }

    /// <param name="alias">oasdiff's name when it names this case apart (a required property with a default).</param>
    private void ReportProperty(int kind, string path, string message, string? oldValue, string? newValue, string? alias = null) =>
        _sink.Add(DiffRules.Schema(_propertyContext, kind), alias, _operation, Location(path), message, oldValue, newValue);

    private static bool HasDefault(IOpenApiSchema schema) => SchemaView.Of(schema).Extras.Default is not null;

    private sealed class PairComparer : IEqualityComparer<(object, object)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
