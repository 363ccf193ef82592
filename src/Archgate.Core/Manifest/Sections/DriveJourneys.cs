using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>
    /// What a <c>drive: { journey: NAME }</c> needs to know of the journeys before the journeys section is read (drives are
    /// read with the components and edges, which the journeys refer to): each journey's service, and its last step's
    /// request when the journey can be a drive. The journeys section itself reports everything else wrong with them.
    /// </summary>
    private static class DriveJourneys
    {
        /// <summary>A journey as a drive sees it: its service (null: the journeys' default), and its last step's <c>METHOD /path</c> or why it cannot drive.</summary>
        public sealed record Entry(string? Service, string? Method, string? Path, string? Problem);

        /// <summary>The journeys of <paramref name="root"/> by name (the first of a duplicate name).</summary>
        public static Dictionary<string, Entry> Scan(YamlMappingNode root)
        {
            var found = new Dictionary<string, Entry>(StringComparer.Ordinal);
            if (YamlReader.Get(root, "journeys") is not YamlSequenceNode journeys)
            {
                return found;
            }

            foreach (var journey in journeys.Children.OfType<YamlMappingNode>())
            {
                if (Scalar(YamlReader.Get(journey, "name")) is { } name && !found.ContainsKey(name))
                {
                    found[name] = Read(journey);
                }
            }

            return found;
        }

        private static Entry Read(YamlMappingNode journey)
        {
            var service = Scalar(YamlReader.Get(journey, "service"));
            var steps = (YamlReader.Get(journey, "steps") as YamlSequenceNode)?.Children ?? [];
            var setup = (YamlReader.Get(journey, "setup") as YamlSequenceNode)?.Children ?? [];
            if (steps.Concat(setup).Any(IsBrowserStep))
            {
                return new Entry(service, null, null, "it has browser steps, and a drive is sent without a browser");
            }

            var last = steps.Count == 0 ? null : steps[^1];
            var request = last switch
            {
                YamlScalarNode scalar => scalar.Value,
                YamlMappingNode map when YamlReader.Get(map, "login") is null => Scalar(YamlReader.Get(map, "request")),
                _ => null,
            };
            var words = request?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return words is [var method, var path] && path.StartsWith('/')
                ? new Entry(service, method.ToUpperInvariant(), path, null)
                : new Entry(service, null, null, "its last step is not an HTTP request ('METHOD /path'), and that request is the drive");
        }

        private static bool IsBrowserStep(YamlNode step) =>
            step is YamlMappingNode map && map.Children.Keys.OfType<YamlScalarNode>().Any(k => BrowserStepKeys.Contains(k.Value));

        private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;
    }
}
