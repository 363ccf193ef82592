using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class ComponentsSectionReader
    {
        private readonly List<(string Database, YamlNode Node, string Path)> _resourceDatabases = [];

        private List<ResourceMapping> ReadResources(YamlNode? node, string path)
        {
            var result = new List<ResourceMapping>();
            var map = r.Mapping(node, path);
            foreach (var (keyNode, valueNode) in map?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var template = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var at = $"{path}.{template}";
                // The last segment must be a whole parameter: its value is the row's key (step 7 matches templates segment by segment).
                var last = template.TrimEnd('/').Split('/')[^1];
                if (!template.StartsWith('/') || last.Length < 3 || last[0] != '{' || last[^1] != '}' || !PathParameter().IsMatch(last))
                {
                    r.Error(keyNode, at, $"'{template}' is not an item path ending in a parameter (the item's key)", "key a resource by its item path, for example \"/orders/{id}\" or \"/orders/{id}/lines/{lineId}\": { database: db, table: order_lines, key: id } (the last parameter is the row's key)");
                    continue;
                }

                var spec = r.Mapping(valueNode, at);
                if (spec is null)
                {
                    continue;
                }

                r.AllowKeys(spec, at, "database", "table", "key", "columns", "page");
                var database = r.String(r.Required(spec, at, "database", "the database component that stores it"), $"{at}.database");
                var table = r.String(r.Required(spec, at, "table", "its table, for example 'table: orders'"), $"{at}.table");
                var key = r.String(YamlReader.Get(spec, "key"), $"{at}.key") ?? "id";
                var columns = r.StringMap(YamlReader.Get(spec, "columns"), $"{at}.columns");
                foreach (var (name, value) in new[] { ("table", table), ("key", key) }.Concat(columns.Values.Select(c => ("columns", (string?)c))))
                {
                    if (value is not null && !SqlName().IsMatch(value))
                    {
                        r.Error(spec, $"{at}.{name}", $"'{value}' is not a plain SQL name", "use letters, digits and '_' (it is quoted when queried)");
                    }
                }

                if (database is not null && table is not null)
                {
                    _resourceDatabases.Add((database, YamlReader.Get(spec, "database")!, $"{at}.database"));
                    result.Add(new ResourceMapping(template, database, table, key) { Columns = columns, Page = ReadResourcePage(YamlReader.Get(spec, "page"), $"{at}.page") });
                }
            }

            return result;
        }

        /// <summary><c>resources.*.page</c>: where a frontend lists the resource (step 7 reloads it after a browser journey's write).</summary>
        private ResourcePage? ReadResourcePage(YamlNode? node, string at)
        {
            var spec = r.Mapping(node, at);
            if (spec is null)
            {
                return null;
            }

            r.AllowKeys(spec, at, "path", "item", "show");
            var path = r.String(r.Required(spec, at, "path", "the page that lists it, for example 'path: /orders'"), $"{at}.path");
            var item = r.String(r.Required(spec, at, "item", "a CSS selector of its element, with {id} for its key: item: \"tr[data-order-id='{id}']\""), $"{at}.item");
            if (path is not null && !path.StartsWith('/'))
            {
                r.Error(YamlReader.Get(spec, "path")!, $"{at}.path", $"'{path}' is not a path", "write the page's path on the frontend, starting with '/': /orders");
            }

            var show = r.StringList(YamlReader.Get(spec, "show"), $"{at}.show").Select(v => v.Value).ToList();
            return path is null || item is null ? null : new ResourcePage(path, item) { Show = show };
        }

        private List<RealtimeEndpoint> ReadRealtime(YamlNode? node, string path)
        {
            var result = new List<RealtimeEndpoint>();
            foreach (var (map, at) in r.MappingList(node, path))
            {
                r.AllowKeys(map, at, "sse", "websocket", "tokenQuery", "trigger", "event", "within");
                var kind = YamlReader.Get(map, "websocket") is not null ? RealtimeKind.WebSocket : RealtimeKind.Sse;
                var key = kind == RealtimeKind.WebSocket ? "websocket" : "sse";
                if (kind == RealtimeKind.WebSocket && YamlReader.Get(map, "sse") is { } both)
                {
                    r.Error(both, $"{at}.sse", "an endpoint is either an event stream ('sse') or a WebSocket ('websocket'), not both", "declare each as its own realtime entry");
                }

                var sse = r.String(r.Required(map, at, key, "the stream's path, for example 'sse: /orders/events' or 'websocket: /orders/ws'"), $"{at}.{key}");
                if (sse is not null && !sse.StartsWith('/'))
                {
                    r.Error(YamlReader.Get(map, key)!, $"{at}.{key}", $"'{sse}' does not start with '/'", $"write '/{sse}'");
                }

                var triggerNode = r.Required(map, at, "trigger", "the write that causes an event, e.g. trigger: { request: POST /orders, json: {...} }");
                var trigger = triggerNode is null ? null : ReadRequest(triggerNode, $"{at}.trigger", new HashSet<string>(["token"], StringComparer.Ordinal), allowWeight: false);
                var within = r.Duration(YamlReader.Get(map, "within"), $"{at}.within");
                if (sse is not null && trigger is not null)
                {
                    result.Add(new RealtimeEndpoint(sse, trigger.Value.Request)
                    {
                        Kind = kind,
                        TokenQuery = r.String(YamlReader.Get(map, "tokenQuery"), $"{at}.tokenQuery"),
                        Event = r.String(YamlReader.Get(map, "event"), $"{at}.event"),
                        Within = within ?? TimeSpan.FromSeconds(2),
                    });
                }
            }

            return result;
        }

        private PageStates ReadPageStates(YamlNode? node, string path)
        {
            if (node is null)
            {
                return PageStates.Default;
            }

            if (node is YamlScalarNode { Value: "off" or "false" })
            {
                return PageStates.Default with { Enabled = false };
            }

            var map = r.Mapping(node, path);
            if (map is null)
            {
                return PageStates.Default;
            }

            r.AllowKeys(map, path, "loading", "error", "delay", "within");
            var states = PageStates.Default;
            foreach (var (key, apply) in new (string, Func<PageStates, string, PageStates>)[]
            {
                ("loading", (s, v) => s with { Loading = v }),
                ("error", (s, v) => s with { Error = v }),
            })
            {
                if (r.String(YamlReader.Get(map, key), $"{path}.{key}") is { } value)
                {
                    if (value.Trim().Length == 0)
                    {
                        r.Error(YamlReader.Get(map, key)!, $"{path}.{key}", "the selector is empty", "give a selector such as '[aria-busy=true]' or 'text=Loading'");
                    }
                    else
                    {
                        states = apply(states, value);
                    }
                }
            }

            var delay = r.Duration(YamlReader.Get(map, "delay"), $"{path}.delay");
            var within = r.Duration(YamlReader.Get(map, "within"), $"{path}.within");
            if (delay is { } d && d <= TimeSpan.Zero)
            {
                r.Error(YamlReader.Get(map, "delay")!, $"{path}.delay", "the delay must be above zero", "write for example 'delay: 3s'");
            }

            return states with { Delay = delay is { } dd && dd > TimeSpan.Zero ? dd : states.Delay, Within = within ?? states.Within };
        }
    }
}
