using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private static readonly string[] HttpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex VariablePattern();

    /// <summary>Step 8's <c>load</c> section.</summary>
    private sealed class LoadSectionReader(SectionContext context) : SectionReader(context)
    {
        /// <summary>The component the load goes to: <c>load.target</c>, else the first critical service, else the first service.</summary>
        private string? _target;

        public LoadProfile ReadLoad(YamlMappingNode root, IReadOnlyList<Component> components)
        {
            var load = r.Mapping(YamlReader.Get(root, "load"), "load");
            if (load is null)
            {
                return LoadProfile.Default;
            }

            r.AllowKeys(load, "load", "target", "thinkTime", "setup", "requests", "journeys", "warmup", "stages", "thresholds", "agents", "requestTimeout", "allowNoData");
            var target = ReadLoadTarget(load, components);
            var services = components.OfType<ServiceComponent>().ToList();
            _target = target ?? (services.FirstOrDefault(s => s.Critical) ?? services.FirstOrDefault())?.Name;
            var known = new HashSet<string>(["vu", "iteration", "uuid"], StringComparer.Ordinal);
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

        /// <summary>
        /// A virtual user's sign-in goes to the load target, as all its requests do: a login at another component
        /// (<c>at</c>) can only be a <c>load.setup</c> step, sent once before the load, its token shared by every user.
        /// </summary>
        protected override void CheckSignInPlace(YamlNode node, string path, ServiceAuth identity, string? at)
        {
            if (at is not null && at != _target && !path.StartsWith("load.setup", StringComparison.Ordinal))
            {
                r.Error(node, path, $"'{identity.Name}' signs in at '{at}', and step 8's virtual users send every request to the load target ('{_target}')",
                    $"sign in once in load.setup ('setup: [ {{ login: {identity.Name} }} ]'): its {{token}} goes to every user");
            }
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
            foreach (var (map, path) in r.MappingItems(list, "load.journeys"))
            {
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
