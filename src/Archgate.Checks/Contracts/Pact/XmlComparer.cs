using System.Xml;
using System.Xml.Linq;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Compares an actual XML body with the pact's example under its matching rules, as the Pact rules read
/// XML: an element's path is its parent's path and its name (<c>$.people.person</c>), attributes are
/// <c>@name</c>, the text is <c>#text</c>; names compare with their namespace URI, not their prefix.
/// Extra attributes and children in the actual body are fine, missing ones are not; children of one name
/// keep their order unless a type rule covers them, when each is matched against the first example.
/// </summary>
internal sealed class XmlComparer(MatchingRules rules)
{
    private readonly List<PactMismatch> _mismatches = [];

    /// <summary>Every difference between the expected XML text and the actual body.</summary>
    public static IReadOnlyList<PactMismatch> Compare(string expectedXml, byte[] actualBody, MatchingRules rules)
    {
        if (Parse(expectedXml) is not { Root: { } expected })
        {
            return [new PactMismatch(MismatchKind.Body, "$", "Failed to parse the expected body as XML")];
        }

        XDocument? actual;
        try
        {
            using var stream = new MemoryStream(actualBody);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            actual = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            return [new PactMismatch(MismatchKind.Body, "$", $"Failed to parse the actual body as XML: {ex.Message}")];
        }

        var comparer = new XmlComparer(rules);
        comparer.CompareElement(["$", Name(expected.Name)], expected, actual.Root!);
        return comparer._mismatches;
    }

    private static XDocument? Parse(string text)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static string Name(XName name) => name.NamespaceName.Length == 0 ? name.LocalName : $"{name.NamespaceName}:{name.LocalName}";

    private void CompareElement(List<string> path, XElement expected, XElement actual)
    {
        var list = rules.BodyRulesFor(path, out var exact);
        var failures = list is null
            ? (expected.Name == actual.Name ? [] : [$"Expected '{Name(actual.Name)}' to be equal to '{Name(expected.Name)}'"])
            : ElementRules(list, exact, expected, actual);
        if (failures.Count > 0)
        {
            Add(path, failures);
            return;
        }

        CompareAttributes(path, expected, actual);
        CompareChildren(path, expected, actual);
        CompareText(path, expected, actual);
    }

    private static List<string> ElementRules(RuleList list, bool exact, XElement expected, XElement actual)
    {
        var failures = new List<string>();
        var children = actual.Elements().Count();
        foreach (var matcher in list.Matchers)
        {
            string? failure = matcher.Kind switch
            {
                MatcherKind.Regex => ValueMatching.FullMatch(matcher.Regex!, actual.Name.LocalName) ? null : $"Expected '{Name(actual.Name)}' to match '{matcher.Regex}'",
                MatcherKind.Type when expected.Name != actual.Name => $"Expected '{Name(expected.Name)}' to be the same type as '{Name(actual.Name)}'",
                MatcherKind.Type when exact && matcher.Min is { } min && children < min => $"Expected '{Name(actual.Name)}' to have at least {min} children",
                MatcherKind.Type when exact && matcher.Max is { } max && children > max => $"Expected '{Name(actual.Name)}' to have at most {max} children",
                MatcherKind.Equality when expected.Name != actual.Name => $"Expected '{Name(expected.Name)}' to be equal to '{Name(actual.Name)}'",
                MatcherKind.NotEmpty when children == 0 => $"Expected '{Name(actual.Name)}' to have at least one child",
                _ => null,
            };
            if (failure is null && list.Or)
            {
                return [];
            }

            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        return failures;
    }

    private static Dictionary<string, string> Attributes(XElement element) => element.Attributes()
        .Where(a => !a.IsNamespaceDeclaration)
        .ToDictionary(a => Name(a.Name), a => a.Value, StringComparer.Ordinal);

    private void CompareAttributes(List<string> path, XElement expected, XElement actual)
    {
        var expectedAttributes = Attributes(expected);
        var actualAttributes = Attributes(actual);
        if (expectedAttributes.Count > actualAttributes.Count)
        {
            Add(path, [$"Expected at least {expectedAttributes.Count} attribute(s) but received {actualAttributes.Count} attribute(s)"]);
        }

        foreach (var (name, value) in expectedAttributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            List<string> attributePath = [.. path, "@" + name];
            if (!actualAttributes.TryGetValue(name, out var actualValue))
            {
                Add(attributePath, [$"Expected attribute '{name}'='{value}' but was missing"]);
                continue;
            }

            Add(attributePath, Values(attributePath, value, actualValue));
        }
    }

    private List<string> Values(List<string> path, string expected, string actual) => rules.BodyRulesFor(path, out _) is { } list
        ? ValueMatching.ApplyText(list, expected, actual)
        : expected == actual ? [] : [$"Expected '{actual}' to be equal to '{expected}'"];

    private void CompareChildren(List<string> path, XElement expected, XElement actual)
    {
        var expectedByName = expected.Elements().GroupBy(e => Name(e.Name)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var group in actual.Elements().GroupBy(e => Name(e.Name)))
        {
            List<string> childPath = [.. path, group.Key];
            var typed = TypeRuleCovers(childPath);
            if (!expectedByName.Remove(group.Key, out var examples))
            {
                if (typed)
                {
                    Add(path, [$"Unexpected child <{group.Key}/>"]);
                }

                continue;
            }

            var actuals = group.ToList();
            if (typed)
            {
                foreach (var child in actuals)
                {
                    CompareElement(childPath, examples[0], child);
                }

                continue;
            }

            for (var i = 0; i < examples.Count; i++)
            {
                if (i < actuals.Count)
                {
                    CompareElement(childPath, examples[i], actuals[i]);
                }
                else
                {
                    Add(childPath, [$"Expected child <{group.Key}/> but was missing"]);
                }
            }
        }

        foreach (var missing in expectedByName.Keys.Order(StringComparer.Ordinal))
        {
            Add(path, [$"Expected child <{missing}/> but was missing"]);
        }
    }

    private bool TypeRuleCovers(List<string> path) =>
        rules.BodyRulesFor(path, out _)?.Matchers.Any(m => m.Kind is MatcherKind.Type or MatcherKind.Values) == true;

    private void CompareText(List<string> path, XElement expected, XElement actual)
    {
        static string Text(XElement element) => string.Concat(element.Nodes().OfType<XText>().Select(t => t.Value.Trim()));

        List<string> textPath = [.. path, "#text"];
        Add(textPath, Values(textPath, Text(expected).Trim(), Text(actual).Trim()));
    }

    private void Add(List<string> path, IEnumerable<string> failures)
    {
        var where = MatchingRules.Format(path);
        _mismatches.AddRange(failures.Select(f => new PactMismatch(MismatchKind.Body, where, f)));
    }
}
