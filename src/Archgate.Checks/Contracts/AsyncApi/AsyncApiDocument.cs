using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts.AsyncApi;

/// <summary>A problem in an AsyncAPI document, where it is (1-based line and column).</summary>
internal sealed record AsyncApiProblem(int Line, int Column, string Message, string Hint);

/// <summary>A message an AsyncAPI channel carries: its name and its payload schema as JSON (local references inlined).</summary>
/// <param name="Name">The message's <c>name</c>, else <c>messageId</c>, else its key in the document.</param>
/// <param name="ContentType">Its <c>contentType</c>, else the document's <c>defaultContentType</c>, else <c>application/json</c>.</param>
/// <param name="Payload">The payload schema (JSON Schema draft-07 as AsyncAPI's Schema Object), or null when it declares none.</param>
internal sealed record AsyncApiMessage(string Name, string ContentType, JsonNode? Payload);

/// <summary>A channel: its address (the AMQP routing key; <c>{parameters}</c> stand for one dot-free word) and its messages.</summary>
internal sealed partial record AsyncApiChannel(string Id, string? Address, IReadOnlyList<AsyncApiMessage> Messages)
{
    /// <summary>Whether <paramref name="routingKey"/> is this channel's address; a channel without one takes every key.</summary>
    public bool Matches(string routingKey) =>
        Address is null || new Regex("^" + string.Join("[^.]+", Parameter().Split(Address).Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1)).IsMatch(routingKey);

    [GeneratedRegex(@"\{[^{}]+\}")]
    private static partial Regex Parameter();
}

/// <summary>
/// An AsyncAPI 2.6 or 3.0 document (YAML or JSON) reduced to what step 2 validates: each channel's address and its
/// messages' payload schemas. Local references (<c>#/components/...</c>) are inlined; every problem is positioned.
/// </summary>
internal sealed class AsyncApiDocument
{
    private const int MaxRefDepth = 32;

    private readonly List<AsyncApiProblem> _problems = [];
    private YamlMappingNode _root = new();

    private AsyncApiDocument()
    {
    }

    /// <summary>The version the document declares (<c>asyncapi</c>).</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>Its channels, in document order.</summary>
    public IReadOnlyList<AsyncApiChannel> Channels { get; private set; } = [];

    /// <summary>What is wrong with it; empty when it is usable.</summary>
    public IReadOnlyList<AsyncApiProblem> Problems => _problems;

    /// <summary>Reads <paramref name="text"/>; never throws for a bad document (its problems say why).</summary>
    public static AsyncApiDocument Parse(string text)
    {
        var document = new AsyncApiDocument();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            document.Problem(ex.Start.Line, ex.Start.Column, $"not YAML or JSON: {ex.Message}", "fix the syntax at this position");
            return document;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            document.Problem(1, 1, "the document is not a mapping", "an AsyncAPI document starts with 'asyncapi: 3.0.0'");
            return document;
        }

        document._root = root;
        document.Read();
        return document;
    }

    private void Read()
    {
        var version = Get(_root, "asyncapi");
        Version = (version as YamlScalarNode)?.Value ?? string.Empty;
        if (version is null)
        {
            Problem(_root, "missing 'asyncapi'", "declare the version: 'asyncapi: 3.0.0' or 'asyncapi: 2.6.0'");
            return;
        }

        var major = Version.StartsWith("3.0", StringComparison.Ordinal) ? 3 : Version.StartsWith("2.6", StringComparison.Ordinal) ? 2 : 0;
        if (major == 0)
        {
            Problem(version, $"AsyncAPI {Version} is not supported", "Archgate reads AsyncAPI 2.6 and 3.0");
            return;
        }

        if (Get(_root, "info") is not YamlMappingNode)
        {
            Problem(_root, "missing 'info'", "add 'info: { title: ..., version: ... }'");
        }

        var defaultContentType = (Get(_root, "defaultContentType") as YamlScalarNode)?.Value ?? "application/json";
        if (Get(_root, "channels") is not YamlMappingNode channels)
        {
            Problem(_root, "missing 'channels'", "describe each routing key as a channel with its messages");
            return;
        }

        var result = new List<AsyncApiChannel>();
        foreach (var (key, value) in channels.Children)
        {
            var id = ((YamlScalarNode)key).Value ?? string.Empty;
            if (Resolve(value, 0) is not YamlMappingNode channel)
            {
                Problem(value, $"channel '{id}' is not a mapping", "a channel has 'address' and 'messages' (3.0) or 'publish'/'subscribe' (2.6)");
                continue;
            }

            var messages = major == 3 ? ChannelMessages3(channel, id, defaultContentType) : ChannelMessages2(channel, id, defaultContentType);
            var address = major == 3
                ? Get(channel, "address") is YamlScalarNode { Value: { } a } && a is not ("null" or "~" or "") ? a : null
                : id;
            if (messages.Count == 0)
            {
                Problem(channel, $"channel '{id}' declares no message", major == 3 ? "add 'messages' with at least one message" : "add a 'publish' or 'subscribe' operation with a 'message'");
            }

            result.Add(new AsyncApiChannel(id, address, messages));
        }

        Channels = result;
    }

    private List<AsyncApiMessage> ChannelMessages3(YamlMappingNode channel, string id, string defaultContentType)
    {
        var list = new List<AsyncApiMessage>();
        if (Get(channel, "messages") is YamlMappingNode messages)
        {
            foreach (var (key, value) in messages.Children)
            {
                if (Message(value, ((YamlScalarNode)key).Value ?? id, defaultContentType) is { } m)
                {
                    list.Add(m);
                }
            }
        }

        return list;
    }

    private List<AsyncApiMessage> ChannelMessages2(YamlMappingNode channel, string id, string defaultContentType)
    {
        var list = new List<AsyncApiMessage>();
        foreach (var operation in new[] { "publish", "subscribe" })
        {
            if (Resolve(Get(channel, operation), 0) is not YamlMappingNode op || Get(op, "message") is not { } message)
            {
                continue;
            }

            var resolved = Resolve(message, 0);
            var branches = resolved is YamlMappingNode m && Get(m, "oneOf") is YamlSequenceNode oneOf ? oneOf.Children : [message];
            var index = 0;
            foreach (var branch in branches)
            {
                if (Message(branch, $"{id} {operation} message {index++}", defaultContentType) is { } parsed)
                {
                    list.Add(parsed);
                }
            }
        }

        return list;
    }

    private AsyncApiMessage? Message(YamlNode node, string fallbackName, string defaultContentType)
    {
        var refName = node is YamlMappingNode r && Get(r, "$ref") is YamlScalarNode { Value: { } reference } ? reference.Split('/')[^1] : null;
        if (Resolve(node, 0) is not YamlMappingNode message)
        {
            return null;
        }

        var name = (Get(message, "name") as YamlScalarNode)?.Value ?? (Get(message, "messageId") as YamlScalarNode)?.Value ?? refName ?? fallbackName;
        var contentType = (Get(message, "contentType") as YamlScalarNode)?.Value ?? defaultContentType;
        var format = (Get(message, "schemaFormat") as YamlScalarNode)?.Value;
        var payloadNode = Get(message, "payload");
        if (payloadNode is YamlMappingNode multi && Get(multi, "schemaFormat") is YamlScalarNode { Value: { } f3 })
        {
            format = f3; // 3.0's Multi Format Schema Object: { schemaFormat, schema }
            payloadNode = Get(multi, "schema");
        }

        if (format is not null && !format.StartsWith("application/vnd.aai.asyncapi", StringComparison.Ordinal)
            && !format.StartsWith("application/schema+json", StringComparison.Ordinal) && !format.StartsWith("application/schema+yaml", StringComparison.Ordinal))
        {
            Problem(message, $"message '{name}' has a payload in schema format '{format}'", "Archgate validates AsyncAPI and JSON Schema payloads; convert the schema or leave this message unchecked");
            return new AsyncApiMessage(name, contentType, null);
        }

        return new AsyncApiMessage(name, contentType, payloadNode is null ? null : ToJson(payloadNode, 0));
    }

    /// <summary>The node a local <c>$ref</c> points to (followed through chains), or the node itself.</summary>
    private YamlNode? Resolve(YamlNode? node, int depth)
    {
        while (node is YamlMappingNode map && Get(map, "$ref") is YamlScalarNode { Value: { } reference })
        {
            if (++depth > MaxRefDepth)
            {
                Problem(map, $"reference chain through '{reference}' is too deep (a cycle?)", "point the reference at the definition itself");
                return null;
            }

            var target = Pointer(reference);
            if (target is null)
            {
                Problem(map, reference.StartsWith('#') ? $"reference '{reference}' points to nothing" : $"external reference '{reference}' is not supported",
                    reference.StartsWith('#') ? "correct the JSON pointer (for example '#/components/messages/OrderEvent')" : "move the definition into this document under 'components'");
                return null;
            }

            node = target;
        }

        return node;
    }

    private YamlNode? Pointer(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return null;
        }

        YamlNode current = _root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var part = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            current = current switch
            {
                YamlMappingNode map when Get(map, part) is { } child => child,
                YamlSequenceNode seq when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < seq.Children.Count => seq.Children[i],
                _ => null!,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A schema as JSON with local references inlined (a cycle stops at <see cref="MaxRefDepth"/> as an open schema).</summary>
    private JsonNode? ToJson(YamlNode node, int depth)
    {
        if (node is YamlMappingNode refMap && Get(refMap, "$ref") is YamlScalarNode)
        {
            return depth > MaxRefDepth ? new JsonObject() : Resolve(node, 0) is { } target ? ToJson(target, depth + 1) : new JsonObject();
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = ToJson(value, depth);
                }

                return obj;
            case YamlSequenceNode seq:
                return new JsonArray([.. seq.Children.Select(c => ToJson(c, depth))]);
            case YamlScalarNode { Style: ScalarStyle.Plain } s:
                var text = s.Value ?? string.Empty;
                return text switch
                {
                    "true" => JsonValue.Create(true),
                    "false" => JsonValue.Create(false),
                    "null" or "~" or "" => null,
                    _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                    _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
                    _ => JsonValue.Create(text),
                };
            case YamlScalarNode s:
                return JsonValue.Create(s.Value ?? string.Empty);
            default:
                return null;
        }
    }

    private static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == key).Value;

    private void Problem(YamlNode node, string message, string hint) => Problem(node.Start.Line, node.Start.Column, message, hint);

    private void Problem(long line, long column, string message, string hint) => _problems.Add(new AsyncApiProblem((int)line, (int)column, message, hint));
}
