using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] JsonAssertionKinds = ["equals", "contains", "matches", "exists"];

    private static readonly string[] BrowserStepKeys = ["goto", "click", "fill", "expect text", "expect visible", "wait for response"];


    [GeneratedRegex(@"^\$((\.[A-Za-z_][A-Za-z0-9_-]*)|(\[(\d+|\*)\]))*$")]
    private static partial Regex JsonPathPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex SqlName();

    /// <summary>Step 7's <c>journeys</c> section.</summary>
    private sealed class JourneysSectionReader(SectionContext context) : SectionReader(context)
    {
        public List<Journey> ReadJourneySection(YamlMappingNode root, IReadOnlyList<Component> components)
        {
            var result = new List<Journey>();
            var list = r.Sequence(YamlReader.Get(root, "journeys"), "journeys");
            var services = components.OfType<ServiceComponent>().ToList();
            // The service a journey goes to by default: the one users sign in to, else the first critical one, else the first.
            var defaultService = (services.FirstOrDefault(s => s.Auth is LoginAuth) ?? services.FirstOrDefault(s => s.Critical) ?? services.FirstOrDefault())?.Name;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (map, path) in r.MappingItems(list, "journeys"))
            {
                r.AllowKeys(map, path, "name", "service", "frontend", "browsers", "critical", "runs", "vars", "setup", "steps");
                var name = r.String(r.Required(map, path, "name", "say what the user does, e.g. 'name: sign in and order'"), $"{path}.name");
                if (name is not null && !names.Add(name))
                {
                    r.Error(YamlReader.Get(map, "name")!, $"{path}.name", $"duplicate journey '{name}'", "journey names must be unique: they name the results");
                }

                var serviceNode = YamlReader.Get(map, "service");
                var service = r.String(serviceNode, $"{path}.service") ?? defaultService;
                if (serviceNode is not null && service is not null && services.All(s => s.Name != service))
                {
                    r.Error(serviceNode, $"{path}.service", $"'{service}' is not a service component", Suggest.DidYouMean(service, services.Select(s => s.Name), "services: "));
                }
                else if (service is null)
                {
                    r.Error(map, path, "no service to send the journey to", "declare a service component with a url, or name it: 'service: api'");
                }

                var variables = r.StringMap(YamlReader.Get(map, "vars"), $"{path}.vars");
                var known = new HashSet<string>(variables.Keys.Append("run").Append("uuid"), StringComparer.Ordinal);
                var setup = ReadJourneySteps(YamlReader.Get(map, "setup"), $"{path}.setup", known);
                var stepsNode = r.Required(map, path, "steps", "list the requests of the journey, e.g. steps: [GET /products]");
                var steps = ReadJourneySteps(stepsNode, $"{path}.steps", known);
                if (stepsNode is YamlSequenceNode { Children.Count: 0 })
                {
                    r.Error(stepsNode, $"{path}.steps", "a journey needs at least one step", "list the requests of the journey");
                }

                var browserSteps = setup.Concat(steps).Any(s => s.Browser is not null);
                var frontend = ReadJourneyFrontend(map, path, components, browserSteps);
                var browsers = ReadBrowsers(YamlReader.Get(map, "browsers"), $"{path}.browsers");
                var critical = r.Bool(YamlReader.Get(map, "critical"), $"{path}.critical") ?? false;
                var runs = r.Int(YamlReader.Get(map, "runs"), $"{path}.runs", 1, 1000);
                if (name is not null && service is not null && steps.Count > 0)
                {
                    result.Add(new Journey(name, service, steps)
                    {
                        Critical = critical,
                        Runs = runs ?? (critical ? Journey.DefaultRuns : 1),
                        Setup = setup,
                        Variables = variables,
                        Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column),
                        Frontend = frontend,
                        Browsers = browsers ?? Journey.AllBrowsers,
                    });
                }
            }

            return result;
        }

        private List<JourneyStep> ReadJourneySteps(YamlNode? node, string path, HashSet<string> known)
        {
            var result = new List<JourneyStep>();
            var index = 0;
            foreach (var item in r.Sequence(node, path)?.Children ?? [])
            {
                var at = $"{path}[{index++}]";
                if (item is YamlMappingNode browserMap && browserMap.Children.Keys.OfType<YamlScalarNode>().Any(k => BrowserStepKeys.Contains(k.Value)))
                {
                    result.AddRange(ReadBrowserStep(browserMap, at).Select(JourneyStep.Of));
                    continue;
                }

                var parsed = ReadRequest(item, at, known, allowWeight: false, ["expect"]);
                var expect = item is YamlMappingNode map ? ReadExpect(YamlReader.Get(map, "expect"), $"{at}.expect") : JourneyExpectations.Default;
                if (parsed is not null && expect.Within is not null && parsed.Value.Request.Method is not ("GET" or "HEAD" or "OPTIONS")
                    && YamlReader.Get((YamlMappingNode)item, "expect") is YamlMappingNode expectMap && YamlReader.Get(expectMap, "within") is { } withinNode)
                {
                    r.Error(withinNode, $"{at}.expect.within", $"'within' polls the request until its expectations hold, and {parsed.Value.Request.Method} is no read to send again",
                        "poll a GET of what the write changes, in a step of its own: - request: GET /orders/{order} with expect: { $.status: paid, within: 30s }");
                    expect = expect with { Within = null };
                }

                if (parsed is not null)
                {
                    result.Add(new JourneyStep(parsed.Value.Request, expect));
                }
            }

            return result;
        }

        /// <summary>The frontend a journey's browser steps open pages of: named, else the first frontend with a url.</summary>
        private string? ReadJourneyFrontend(YamlMappingNode map, string path, IReadOnlyList<Component> components, bool browserSteps)
        {
            var frontends = components.Where(c => c.Kind == ComponentKind.Frontend && c.Address is not null).ToList();
            var node = YamlReader.Get(map, "frontend");
            var name = r.String(node, $"{path}.frontend");
            if (node is not null && name is not null && frontends.All(f => f.Name != name))
            {
                r.Error(node, $"{path}.frontend", $"'{name}' is not a frontend component with a url", Suggest.DidYouMean(name, frontends.Select(f => f.Name), "frontends: "));
                return null;
            }

            name ??= frontends.FirstOrDefault()?.Name;
            if (browserSteps && name is null)
            {
                r.Error(map, path, "browser steps need a frontend to open", "declare a frontend component with a url (its pages are what 'goto: /path' opens)");
            }

            return browserSteps ? name : null;
        }

        /// <summary><c>browsers: [chromium, firefox, webkit]</c>.</summary>
        private List<BrowserEngine>? ReadBrowsers(YamlNode? node, string path)
        {
            if (node is null)
            {
                return null;
            }

            var result = new List<BrowserEngine>();
            foreach (var (value, at) in r.StringList(node, path))
            {
                BrowserEngine? engine = value switch
                {
                    "chromium" => BrowserEngine.Chromium,
                    "firefox" => BrowserEngine.Firefox,
                    "webkit" => BrowserEngine.Webkit,
                    _ => null,
                };
                if (engine is null)
                {
                    r.Error(at, path, $"unknown browser '{value}'", Suggest.DidYouMean(value, ["chromium", "firefox", "webkit"], "browsers: "));
                }
                else if (!result.Contains(engine.Value))
                {
                    result.Add(engine.Value);
                }
            }

            if (result.Count == 0)
            {
                r.Error(node, path, "no browser to run in", "list at least one of chromium, firefox, webkit, or leave 'browsers' out for all three");
            }

            return result;
        }

        /// <summary>
        /// <c>goto: /orders</c>, <c>click: "#login"</c>, <c>fill: { "#username": ann }</c>, <c>expect text: paid</c> (or
        /// <c>{ "#orders": paid }</c>), <c>expect visible: "#orders tr"</c>, <c>wait for response: POST /orders</c> (or
        /// <c>{ request: POST /orders, status: 201 }</c>). A fill or expect text of several selectors is several steps.
        /// </summary>
        private List<BrowserAction> ReadBrowserStep(YamlMappingNode map, string path)
        {
            var result = new List<BrowserAction>();
            if (map.Children.Count != 1)
            {
                r.Error(map, path, "a browser step does one thing", $"write one of {string.Join(", ", BrowserStepKeys)} per step, as its own list item");
                return result;
            }

            var (keyNode, value) = map.Children.First();
            var key = ((YamlScalarNode)keyNode).Value!;
            var at = $"{path}.{key}";
            switch (key)
            {
                case "goto":
                    if (r.String(value, at) is { } page)
                    {
                        if (!page.StartsWith('/'))
                        {
                            r.Error(value, at, $"'{page}' does not start with '/'", "write the page's path on the frontend, e.g. 'goto: /orders'");
                        }
                        else
                        {
                            result.Add(new BrowserAction(BrowserActionKind.Goto, page));
                        }
                    }

                    break;
                case "click" or "expect visible":
                    if (r.String(value, at) is { Length: > 0 } selector)
                    {
                        result.Add(new BrowserAction(key == "click" ? BrowserActionKind.Click : BrowserActionKind.ExpectVisible, selector));
                    }

                    break;
                case "fill":
                    result.AddRange(r.StringMap(value, at).Select(f => new BrowserAction(BrowserActionKind.Fill, f.Key) { Value = f.Value }));
                    break;
                case "expect text":
                    result.AddRange(value is YamlScalarNode
                        ? r.String(value, at) is { } text ? [new BrowserAction(BrowserActionKind.ExpectText, null) { Value = text }] : []
                        : r.StringMap(value, at).Select(f => new BrowserAction(BrowserActionKind.ExpectText, f.Key) { Value = f.Value }));
                    break;
                default:
                    if (ReadWaitForResponse(value, at) is { } wait)
                    {
                        result.Add(wait);
                    }

                    break;
            }

            return result;
        }

        private BrowserAction? ReadWaitForResponse(YamlNode value, string path)
        {
            var requestNode = value;
            var status = new List<int>();
            if (value is YamlMappingNode map)
            {
                r.AllowKeys(map, path, "request", "status");
                requestNode = r.Required(map, path, "request", "the request the page makes, e.g. 'request: POST /orders'");
                var statusNode = YamlReader.Get(map, "status");
                var statusAt = $"{path}.status";
                foreach (var v in statusNode is YamlSequenceNode ? r.StringList(statusNode, statusAt).Select(v => v.Value) : statusNode is null ? [] : [r.String(statusNode, statusAt) ?? string.Empty])
                {
                    if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                    {
                        status.Add(code);
                    }
                    else
                    {
                        r.Error(statusNode!, statusAt, $"invalid status '{v}'", "write an HTTP status such as 201, or a list: [200, 304]");
                    }
                }

                path = $"{path}.request";
            }

            var line = r.String(requestNode, path);
            var parts = line?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (requestNode is null || line is null)
            {
                return null;
            }

            if (parts.Length != 2 || !HttpMethods.Contains(parts[0], StringComparer.Ordinal) || !parts[1].StartsWith('/'))
            {
                r.Error(requestNode, path, $"invalid request '{line}'", "write an upper-case method and the path the page calls, e.g. 'POST /orders'");
                return null;
            }

            return new BrowserAction(BrowserActionKind.WaitForResponse, parts[1]) { Method = parts[0], Status = status };
        }

        /// <summary><c>expect: { status: 201, duration: 1s, within: 30s, headers: {...}, "$.status": paid, "$.items[*].id": { contains: "{order}" } }</c>.</summary>
        private JourneyExpectations ReadExpect(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return JourneyExpectations.Default;
            }

            var status = new List<int>();
            var json = new List<JsonAssertion>();
            TimeSpan? duration = null;
            TimeSpan? within = null;
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var at = $"{path}.{key}";
                switch (key)
                {
                    case "status":
                        var values = valueNode is YamlSequenceNode ? r.StringList(valueNode, at).Select(v => v.Value).ToList() : [r.String(valueNode, at) ?? string.Empty];
                        foreach (var v in values)
                        {
                            if (int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                            {
                                status.Add(code);
                            }
                            else
                            {
                                r.Error(valueNode, at, $"invalid status '{v}'", "write an HTTP status such as 201, or a list: [200, 304]");
                            }
                        }

                        break;
                    case "duration":
                        duration = r.Duration(valueNode, at);
                        break;
                    case "within":
                        within = r.Duration(valueNode, at);
                        break;
                    case "headers":
                        headers.AddRange(r.StringMap(valueNode, at));
                        break;
                    case { } p when p.StartsWith('$'):
                        if (ReadJsonAssertion(p, valueNode, at) is { } assertion)
                        {
                            json.Add(assertion);
                        }

                        break;
                    default:
                        r.Error(keyNode, at, $"unknown expectation '{key}'", "expect 'status', 'duration', 'within', 'headers' or a JSON path such as '$.status'");
                        break;
                }
            }

            return new JourneyExpectations { Status = status, Duration = duration, Within = within, Json = json, Headers = headers };
        }

        /// <summary>An unquoted YAML scalar that is a JSON number, <c>true</c>, <c>false</c> or <c>null</c> (a quoted one is text).</summary>
        private static bool IsJsonLiteral(YamlNode node) =>
            node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: { } text }
            && (text is "true" or "false" or "null" || decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

        private JsonAssertion? ReadJsonAssertion(string jsonPath, YamlNode valueNode, string path)
        {
            if (!JsonPathPattern().IsMatch(jsonPath))
            {
                r.Error(valueNode, path, $"invalid JSON path '{jsonPath}'", "write '$', '$.name', '$.items[0].id' or '$.items[*].id'");
                return null;
            }

            if (valueNode is not YamlMappingNode map)
            {
                return r.String(valueNode, path) is { } expected ? new JsonAssertion(jsonPath, JsonAssertionKind.Equals, expected) { Literal = IsJsonLiteral(valueNode) } : null;
            }

            r.AllowKeys(map, path, JsonAssertionKinds);
            if (map.Children.Count != 1)
            {
                r.Error(map, path, "give exactly one comparison", "write one of { equals: X }, { contains: X }, { matches: REGEX }, { exists: true }");
                return null;
            }

            var (kindNode, expectedNode) = map.Children.First();
            var kindText = (kindNode as YamlScalarNode)?.Value;
            if (!JsonAssertionKinds.Contains(kindText))
            {
                return null; // AllowKeys said so
            }

            var value = r.String(expectedNode, $"{path}.{kindText}");
            if (value is null)
            {
                return null;
            }

            var kind = kindText switch
            {
                "contains" => JsonAssertionKind.Contains,
                "matches" => JsonAssertionKind.Matches,
                "exists" => JsonAssertionKind.Exists,
                _ => JsonAssertionKind.Equals,
            };
            if (kind == JsonAssertionKind.Matches && !IsRegex(value))
            {
                r.Error(expectedNode, $"{path}.matches", $"invalid regular expression '{value}'", "write a .NET regular expression, for example '^[0-9]+$'");
                return null;
            }

            if (kind == JsonAssertionKind.Exists && value is not ("true" or "false"))
            {
                r.Error(expectedNode, $"{path}.exists", $"'{value}' is not true or false", "write 'exists: true' or 'exists: false'");
                return null;
            }

            return new JsonAssertion(jsonPath, kind, value) { Literal = kind == JsonAssertionKind.Equals && IsJsonLiteral(expectedNode) };
        }

        private static bool IsRegex(string pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
