using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class ComponentsSectionReader
    {
        private LedgerSpec? ReadLedger(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "path", "key", "items", "operation");
            var target = r.String(r.Required(map, path, "path", "the GET that lists the provider's charges, for example 'path: /v1/charges?limit=100'"), $"{path}.path");
            if (target is not null && !target.StartsWith('/'))
            {
                r.Error(YamlReader.Get(map, "path")!, $"{path}.path", $"'{target}' is not a path", $"write '/{target}'");
                target = null;
            }

            var key = LedgerPath(map, "key", path, "where a row carries its idempotency key, for example 'key: $.metadata.idempotency_key'", required: true);
            var items = LedgerPath(map, "items", path, null, required: false);
            var operation = LedgerPath(map, "operation", path, null, required: false);
            return target is null || key is null
                ? null
                : new LedgerSpec(target, key) { Items = items, Operation = operation, Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column) };
        }

        private string? LedgerPath(YamlMappingNode map, string name, string path, string? hint, bool required)
        {
            var node = required ? r.Required(map, path, name, hint!) : YamlReader.Get(map, name);
            var text = r.String(node, $"{path}.{name}");
            if (text is not null && !JsonPathPattern().IsMatch(text))
            {
                r.Error(node!, $"{path}.{name}", $"invalid JSON path '{text}'", "write '$.name', '$.metadata.idempotency_key' or '$.data[*]'");
                return null;
            }

            return text;
        }
    }
}
