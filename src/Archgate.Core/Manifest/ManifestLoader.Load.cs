using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>Reading the <c>load</c> section: target, scenario (setup, requests, journeys), stages, thresholds, agents.</summary>
public static partial class ManifestLoader
{
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex VariablePattern();

    private sealed partial class Builder
    {
        private LoadProfile ReadLoad(YamlMappingNode root, IReadOnlyList<Component> components)
        {
            var load = r.Mapping(YamlReader.Get(root, "load"), "load");
            if (load is null)
            {
                return LoadProfile.Default;
            }

            r.AllowKeys(load, "load", "target", "thinkTime", "setup", "requests", "journeys", "warmup", "stages", "thresholds", "agents", "requestTimeout", "allowNoData");
            var target = ReadLoadTarget(load, components);
            var known = new HashSet<string>(["vu", "iteration"], StringComparer.Ordinal);
            var setup = ReadRequestList(YamlReader.Get(load, "setup"), "load.setup", known, allowWeight: false).Select(x => x.Request).ToList();
            var shared = new HashSet<string>(known, StringComparer.Ordinal);

            var journeys = new List<ScenarioJourney>();
            foreach (var (request, weight) in ReadRequestList(YamlReader.Get(load, "requests"), "load.requests", new HashSet<string>(shared, StringComparer.Ordinal), allowWeight: true))
            {
                journeys.Add(new ScenarioJourney(request.RouteName, [request]) { Weight = weight });
            }

            journeys.AddRange(ReadJourneys(YamlReader.Get(load, "journeys"), shared));
            var stages = ReadStages(load);
            var routes = journeys.SelectMany(j => j.Setup.Concat(j.Steps)).Select(s => s.RouteName).Distinct(StringComparer.Ordinal).ToList();
            var thresholds = ReadThresholds(load, routes, stages.Select(s => s.Name).ToList());
            var defaults = LoadProfile.Default;
            var timeoutNode = YamlReader.Get(load, "requestTimeout");
            var requestTimeout = r.Duration(timeoutNode, "load.requestTimeout");
            if (requestTimeout is { } rt && rt <= TimeSpan.Zero)
            {
                r.Error(timeoutNode!, "load.requestTimeout", "a request timeout is longer than zero", "write a duration such as 10s");
            }

            return new LoadProfile
            {
                Target = target,
                Setup = setup,
                Journeys = journeys,
                ThinkTime = r.Duration(YamlReader.Get(load, "thinkTime"), "load.thinkTime") ?? defaults.ThinkTime,
                Warmup = r.Duration(YamlReader.Get(load, "warmup"), "load.warmup") ?? defaults.Warmup,
                Stages = stages,
                Thresholds = thresholds,
                Agents = r.Int(YamlReader.Get(load, "agents"), "load.agents", 1, 64) ?? defaults.Agents,
                RequestTimeout = requestTimeout is { } t && t > TimeSpan.Zero ? t : defaults.RequestTimeout,
                AllowNoData = r.Bool(YamlReader.Get(load, "allowNoData"), "load.allowNoData") ?? defaults.AllowNoData,
            };
        }

        private string? ReadLoadTarget(YamlMappingNode load, IReadOnlyList<Component> components)
        {
            var node = YamlReader.Get(load, "target");
            var name = r.String(node, "load.target");
            if (node is null || name is null)
            {
                return null;
            }

            var loadable = components.Where(c => c.Kind is ComponentKind.Service or ComponentKind.Frontend && c.Address is not null).Select(c => c.Name).ToList();
            var component = components.FirstOrDefault(c => c.Name == name);
            if (component is null)
            {
                r.Error(node, "load.target", $"unknown component '{name}'", Suggest.DidYouMean(name, loadable, "services and frontends: "));
            }
            else if (!loadable.Contains(name))
            {
                r.Error(node, "load.target", $"'{name}' is a {Kinds.First(k => k.Value == component.Kind).Key}; load goes to a service or frontend with a url",
                    "name one of: " + string.Join(", ", loadable));
            }

            return name;
        }

        private List<LoadStage> ReadStages(YamlMappingNode load)
        {
            var stageList = r.Sequence(YamlReader.Get(load, "stages"), "load.stages");
            if (stageList is null)
            {
                return [.. LoadProfile.DefaultStages];
            }

            if (stageList.Children.Count == 0)
            {
                r.Error(stageList, "load.stages", "no stages", "write at least one stage, e.g. [ { users: 100, duration: 10s } ]");
            }

            var stages = new List<LoadStage>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var count = stageList.Children.Count;
            for (var index = 0; index < count; index++)
            {
                var path = $"load.stages[{index}]";
                var map = r.Mapping(stageList.Children[index], path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "users", "duration", "rampUp", "name");
                var users = r.Int(r.Required(map, path, "users"), $"{path}.users", 1, 100_000);
                var duration = r.Duration(r.Required(map, path, "duration"), $"{path}.duration");
                var rampNode = YamlReader.Get(map, "rampUp");
                var ramp = r.Duration(rampNode, $"{path}.rampUp") ?? TimeSpan.Zero;
                var nameNode = YamlReader.Get(map, "name");
                var name = r.String(nameNode, $"{path}.name") ?? (index == 0 ? "baseline" : index == count - 1 ? "stress" : $"stage{index + 1}");
                if (name == LoadProfile.WarmupStage)
                {
                    r.Error(nameNode!, $"{path}.name", $"'{name}' is the name of the unmeasured warm-up", "name the stage otherwise; set load.warmup for the warm-up's length");
                }
                else if (!names.Add(name))
                {
                    r.Error(nameNode ?? map, $"{path}.name", $"duplicate stage name '{name}'", "give each stage its own name");
                }

                if (duration is { } d && d <= TimeSpan.Zero)
                {
                    r.Error(YamlReader.Get(map, "duration")!, $"{path}.duration", "a stage lasts longer than zero", "write a duration such as 10s");
                }
                else if (duration is { } total && ramp > total)
                {
                    r.Error(rampNode!, $"{path}.rampUp", "rampUp is longer than the stage", "ramp up within the stage's duration");
                }

                if (users is not null && duration is not null)
                {
                    stages.Add(new LoadStage(users.Value, duration.Value) { Name = name, RampUp = ramp });
                }
            }

            return stages;
        }

        private List<ScenarioJourney> ReadJourneys(YamlNode? node, HashSet<string> shared)
        {
            var result = new List<ScenarioJourney>();
            var list = r.Sequence(node, "load.journeys");
            var index = 0;
            foreach (var item in list?.Children ?? [])
            {
                var path = $"load.journeys[{index++}]";
                var map = r.Mapping(item, path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "name", "weight", "thinkTime", "setup", "steps");
                var name = r.String(r.Required(map, path, "name", "name the journey, e.g. 'name: browse'"), $"{path}.name");
                var known = new HashSet<string>(shared, StringComparer.Ordinal);
                var setup = ReadRequestList(YamlReader.Get(map, "setup"), $"{path}.setup", known, allowWeight: false).Select(x => x.Request).ToList();
                var stepsNode = r.Required(map, path, "steps", "list the requests of one iteration, e.g. steps: [GET /products]");
                var steps = ReadRequestList(stepsNode, $"{path}.steps", known, allowWeight: false, ["thinkTime"]).Select(x => x.Request).ToList();
                if (stepsNode is YamlSequenceNode { Children.Count: 0 })
                {
                    r.Error(stepsNode, $"{path}.steps", "a journey needs at least one step", "list the requests of one iteration");
                }

                var weight = r.Int(YamlReader.Get(map, "weight"), $"{path}.weight", 1, 1000) ?? 1;
                var think = r.Duration(YamlReader.Get(map, "thinkTime"), $"{path}.thinkTime");
                if (name is not null && steps.Count > 0)
                {
                    result.Add(new ScenarioJourney(name, steps) { Weight = weight, Setup = setup, ThinkTime = think });
                }
            }

            return result;
        }

        /// <summary>Requests in order; captures add to <paramref name="known"/> so later requests may use them.</summary>
        private List<(ScenarioRequest Request, int Weight)> ReadRequestList(YamlNode? node, string path, HashSet<string> known, bool allowWeight, string[]? extraKeys = null)
        {
            var result = new List<(ScenarioRequest, int)>();
            var list = r.Sequence(node, path);
            var index = 0;
            foreach (var item in list?.Children ?? [])
            {
                var at = $"{path}[{index++}]";
                var parsed = ReadRequest(item, at, known, allowWeight, extraKeys);
                if (parsed is not null)
                {
                    result.Add(parsed.Value);
                }
            }

            return result;
        }

        private (ScenarioRequest Request, int Weight)? ReadRequest(YamlNode item, string path, HashSet<string> known, bool allowWeight, string[]? extraKeys = null)
        {
            YamlNode? requestNode = item;
            YamlMappingNode? map = null;
            if (item is YamlMappingNode signIn && YamlReader.Get(signIn, "login") is { } loginNode)
            {
                return ReadLoginStep(signIn, loginNode, path, known);
            }

            if (item is YamlMappingNode m)
            {
                map = m;
                string[] keys = allowWeight
                    ? ["request", "name", "headers", "json", "body", "capture", "weight"]
                    : ["request", "name", "headers", "json", "body", "capture", .. extraKeys ?? []];
                r.AllowKeys(map, path, keys);
                requestNode = r.Required(map, path, "request", "write the method and path, e.g. 'request: GET /orders'");
                path = $"{path}.request";
            }
            else if (item is not YamlScalarNode)
            {
                r.Error(item, path, $"expected a request such as 'GET /products', found {YamlReader.Describe(item)}", "write 'GET /path', or a mapping with 'request: GET /path'");
                return null;
            }

            var line = r.String(requestNode, path);
            if (requestNode is null || line is null)
            {
                return null;
            }

            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !HttpMethods.Contains(parts[0], StringComparer.Ordinal) || !parts[1].StartsWith('/') || parts[1].Contains(' ', StringComparison.Ordinal))
            {
                r.Error(requestNode, path, $"invalid request '{line}'",
                    $"write an upper-case method ({string.Join(", ", HttpMethods)}) and a path starting with '/', e.g. 'GET /orders?page=1'");
                return null;
            }

            var basePath = path.EndsWith(".request", StringComparison.Ordinal) ? path[..^".request".Length] : path;
            var headers = new List<KeyValuePair<string, string>>();
            string? body = null;
            var captures = new List<ScenarioCapture>();
            var weight = 1;
            string? name = null;
            TimeSpan? think = null;
            if (map is not null)
            {
                name = r.String(YamlReader.Get(map, "name"), $"{basePath}.name");
                foreach (var (key, value) in r.StringMap(YamlReader.Get(map, "headers"), $"{basePath}.headers"))
                {
                    headers.Add(new(key, value));
                }

                var jsonNode = YamlReader.Get(map, "json");
                var bodyNode = YamlReader.Get(map, "body");
                if (jsonNode is not null && bodyNode is not null)
                {
                    r.Error(bodyNode, $"{basePath}.body", "both 'json' and 'body' are given", "use 'json' for a JSON body, 'body' for any other text");
                }
                else if (jsonNode is not null)
                {
                    body = ToJson(jsonNode, $"{basePath}.json");
                    if (!headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
                    {
                        headers.Add(new("Content-Type", "application/json"));
                    }
                }
                else
                {
                    body = r.String(bodyNode, $"{basePath}.body");
                }

                if (allowWeight)
                {
                    weight = r.Int(YamlReader.Get(map, "weight"), $"{basePath}.weight", 1, 1000) ?? 1;
                }

                captures = ReadCaptures(YamlReader.Get(map, "capture"), $"{basePath}.capture");
                if (extraKeys?.Contains("thinkTime") == true)
                {
                    think = r.Duration(YamlReader.Get(map, "thinkTime"), $"{basePath}.thinkTime");
                }
            }

            var texts = new List<(string Text, YamlNode Node)> { (parts[1], requestNode) };
            if (map is not null)
            {
                texts.AddRange(headers.Select(h => (h.Value, YamlReader.Get(map, "headers")!)));
                if (body is not null)
                {
                    texts.Add((body, YamlReader.Get(map, "json") ?? YamlReader.Get(map, "body")!));
                }
            }

            foreach (var (text, node) in texts)
            {
                foreach (Match v in VariablePattern().Matches(text))
                {
                    var variable = v.Groups[1].Value;
                    if (!known.Contains(variable))
                    {
                        r.Error(node, basePath, $"variable '{{{variable}}}' is never captured before it is used",
                            Suggest.Closest(variable, known) is { } close ? $"did you mean '{{{close}}}'?" : "capture it in an earlier request, e.g. capture: { " + variable + ": accessToken }");
                    }
                }
            }

            foreach (var c in captures)
            {
                known.Add(c.Variable);
            }

            var request = new ScenarioRequest(parts[0], parts[1]) { Name = name, Headers = headers, Body = body, Captures = captures, ThinkTime = think };
            return (request, weight);
        }

        /// <summary>
        /// <c>- login: ann</c>: the identity's login request, its token captured as <c>{token}</c> (or the variable
        /// named by <c>capture</c>).
        /// </summary>
        private (ScenarioRequest Request, int Weight)? ReadLoginStep(YamlMappingNode map, YamlNode loginNode, string path, HashSet<string> known)
        {
            r.AllowKeys(map, path, "login", "capture", "name");
            if (loginNode is not YamlScalarNode scalar)
            {
                r.Error(loginNode, $"{path}.login", "expected the name of an identity of the top-level 'auth' section", "write 'login: ann'");
                return null;
            }

            var variable = r.String(YamlReader.Get(map, "capture"), $"{path}.capture") ?? "token";
            if (!Regex.IsMatch(variable, "^[A-Za-z_][A-Za-z0-9_]*$"))
            {
                r.Error(YamlReader.Get(map, "capture")!, $"{path}.capture", $"'{variable}' is not a variable name", "use letters, digits and '_', starting with a letter");
                return null;
            }

            var auth = AuthByName(scalar, $"{path}.login");
            if (auth is null)
            {
                return null;
            }

            if (auth is not LoginAuth login)
            {
                r.Error(loginNode, $"{path}.login", $"'{auth.Name}' does not sign in with a login ({auth})",
                    $"send its credentials as headers of each request instead, or give '{auth.Name}' a 'login: POST /path'");
                return null;
            }

            known.Add(variable);
            var request = new ScenarioRequest(login.Method, login.Path)
            {
                Name = r.String(YamlReader.Get(map, "name"), $"{path}.name") ?? $"login as {auth.Name}",
                Headers = [new("Content-Type", "application/json")],
                Body = login.Body(),
                Captures = [new ScenarioCapture(variable, CaptureSource.JsonProperty, login.TokenField)],
            };
            return (request, 1);
        }

        private List<ScenarioCapture> ReadCaptures(YamlNode? node, string path)
        {
            var result = new List<ScenarioCapture>();
            foreach (var (variable, source) in r.StringMap(node, path))
            {
                if (!Regex.IsMatch(variable, "^[A-Za-z_][A-Za-z0-9_]*$"))
                {
                    r.Error(node!, $"{path}.{variable}", $"'{variable}' is not a variable name", "use letters, digits and '_', starting with a letter");
                    continue;
                }

                result.Add(source.StartsWith("header:", StringComparison.Ordinal)
                    ? new ScenarioCapture(variable, CaptureSource.Header, source["header:".Length..].Trim())
                    : new ScenarioCapture(variable, CaptureSource.JsonProperty, source));
            }

            return result;
        }

        private string ToJson(YamlNode node, string path)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteJson(writer, node, path);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private void WriteJson(Utf8JsonWriter writer, YamlNode node, string path)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    writer.WriteStartObject();
                    foreach (var (key, value) in map.Children)
                    {
                        var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                        writer.WritePropertyName(name);
                        WriteJson(writer, value, YamlReader.Join(path, name));
                    }

                    writer.WriteEndObject();
                    break;
                case YamlSequenceNode seq:
                    writer.WriteStartArray();
                    var i = 0;
                    foreach (var item in seq.Children)
                    {
                        WriteJson(writer, item, $"{path}[{i++}]");
                    }

                    writer.WriteEndArray();
                    break;
                case YamlScalarNode scalar:
                    var text = r.String(scalar, path) ?? string.Empty;
                    if (scalar.Style != ScalarStyle.Plain)
                    {
                        writer.WriteStringValue(text);
                    }
                    else if (text is "true" or "false")
                    {
                        writer.WriteBooleanValue(text == "true");
                    }
                    else if (text is "null" or "~" or "")
                    {
                        writer.WriteNullValue();
                    }
                    else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !text.StartsWith('+'))
                    {
                        writer.WriteRawValue(text);
                    }
                    else
                    {
                        writer.WriteStringValue(text);
                    }

                    break;
            }
        }

        private List<ThresholdSpec> ReadThresholds(YamlMappingNode load, List<string> routes, List<string> stages)
        {
            var result = new List<ThresholdSpec>();
            var map = r.Mapping(YamlReader.Get(load, "thresholds"), "load.thresholds");
            foreach (var (keyNode, valueNode) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var metric = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var path = $"load.thresholds.{metric}";
                var conditions = new List<(YamlNode Node, bool Abort)>();
                if (valueNode is YamlScalarNode)
                {
                    conditions.Add((valueNode, false));
                }
                else if (r.Sequence(valueNode, path) is { } seq)
                {
                    var i = 0;
                    foreach (var item in seq.Children)
                    {
                        var at = $"{path}[{i++}]";
                        if (item is YamlMappingNode m)
                        {
                            r.AllowKeys(m, at, "threshold", "abortOnFail");
                            var condition = r.Required(m, at, "threshold", "write the condition, e.g. threshold: p(95)<200");
                            var abort = r.Bool(YamlReader.Get(m, "abortOnFail"), $"{at}.abortOnFail") ?? false;
                            if (condition is not null)
                            {
                                conditions.Add((condition, abort));
                            }
                        }
                        else
                        {
                            conditions.Add((item, false));
                        }
                    }
                }

                foreach (var (node, abort) in conditions)
                {
                    var condition = r.String(node, path);
                    if (condition is null)
                    {
                        continue;
                    }

                    var text = $"{metric}: {condition}";
                    if (!ThresholdSpec.TryParse(text, out var spec, out var error))
                    {
                        // Point at the character: in the key for the metric and tags, in the value after it.
                        var inKey = error!.Position < metric.Length;
                        var at = inKey ? keyNode : node;
                        var offset = inKey ? error.Position : Math.Max(0, error.Position - metric.Length - 2);
                        var quoted = at is YamlScalarNode { Style: ScalarStyle.DoubleQuoted or ScalarStyle.SingleQuoted } ? 1 : 0;
                        r.Error(at.Start.Line, at.Start.Column + offset + quoted, path, $"invalid threshold: {error.Message}", error.Hint);
                        continue;
                    }

                    if (spec!.Route is { } route && routes.Count > 0 && !routes.Contains(route, StringComparer.Ordinal))
                    {
                        r.Error(keyNode, path, $"no request of the scenario has route '{route}'", Suggest.DidYouMean(route, routes, "routes: "));
                    }

                    if (spec.Stage is { } stage && stages.Count > 0 && !stages.Contains(stage, StringComparer.Ordinal))
                    {
                        r.Error(keyNode, path, $"no stage is named '{stage}'", Suggest.DidYouMean(stage, stages, "stages: "));
                    }

                    result.Add(spec with { AbortOnFail = abort });
                }
            }

            return result;
        }
    }
}
