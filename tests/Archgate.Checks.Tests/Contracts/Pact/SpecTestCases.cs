using System.Text;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Pact;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>
/// The Pact specification's own test cases (Spec/, v1 to v4): every response case, the request header cases
/// and the v3/v4 message cases, run through Archgate's matching with the verdict the specification expects.
/// </summary>
public sealed class SpecTestCases
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Contracts", "Pact", "Spec");

    /// <summary>Cases Archgate cannot judge yet, each with the reason. Aim: none.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
    };

    private static List<string> CaseNames() => Directory.GetFiles(Root, "*.json", SearchOption.AllDirectories)
        .Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static TheoryData<string> Cases() => new(CaseNames());

    [Fact]
    public void Every_version_has_cases_and_the_skip_list_names_only_cases_that_exist()
    {
        var cases = CaseNames();
        foreach (var version in new[] { "v1/", "v1.1/", "v2/", "v3/", "v4/" })
        {
            Assert.Contains(cases, c => c.StartsWith(version + "response/body/", StringComparison.Ordinal));
        }

        Assert.True(cases.Count >= 400, $"{cases.Count} cases");
        Assert.All(Unsupported.Keys, k => Assert.Contains(k, cases));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Archgate_gives_the_specifications_verdict(string caseName)
    {
        Skip.If(Unsupported.TryGetValue(caseName, out var reason), reason);
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, caseName)))!.AsObject();
        var version = caseName.Split('/')[0][1..];
        var expectedMatch = root["match"]!.GetValue<bool>();

        var mismatches = caseName.Contains("/message/", StringComparison.Ordinal)
            ? MatchMessage(version, root["expected"]!.AsObject(), root["actual"]!.AsObject())
            : Match(version, root["expected"]!.AsObject(), root["actual"]!.AsObject());
        var matched = mismatches.All(m => m.IsWarning);

        Assert.True(expectedMatch == matched,
            $"{caseName} ({root["comment"]}): expected {(expectedMatch ? "a match" : "a mismatch")}, Archgate found " +
            (mismatches.Count == 0 ? "none" : string.Join("; ", mismatches)));
    }

    private static IReadOnlyList<PactMismatch> Match(string version, JsonObject expected, JsonObject actual)
    {
        var (response, received) = Build(version, expected, actual);
        return ResponseMatcher.Match(response, received);
    }

    /// <summary>
    /// A message case: the expected message as a one-message pact (v3 <c>messages</c>, v4 asynchronous message),
    /// the actual one as a message provider would answer it (contents as the body, metadata in its header).
    /// </summary>
    private static IReadOnlyList<PactMismatch> MatchMessage(string version, JsonObject expected, JsonObject actual)
    {
        var message = (JsonObject)expected.DeepClone();
        message["description"] = "case";
        JsonObject pact = version.StartsWith('4')
            ? new JsonObject { ["interactions"] = new JsonArray(Merge(message, new JsonObject { ["type"] = "Asynchronous/Messages" })) }
            : new JsonObject { ["messages"] = new JsonArray(message) };
        pact["consumer"] = new JsonObject { ["name"] = "consumer" };
        pact["provider"] = new JsonObject { ["name"] = "provider" };
        pact["metadata"] = new JsonObject { ["pactSpecification"] = new JsonObject { ["version"] = version + ".0" } };
        var read = PactReader.Read(pact.ToJsonString());
        Assert.True(read.Document is not null, string.Join("\n", read.Errors));

        var metadata = ((actual["metaData"] ?? actual["metadata"]) as JsonObject ?? []).ToDictionary(m => m.Key, m => m.Value?.DeepClone());
        var contents = actual["contents"];
        var contentType = (metadata.GetValueOrDefault("contentType") ?? contents?["contentType"])?.GetValue<string>();
        metadata.Remove("contentType");
        var lines = new List<KeyValuePair<string, string>> { new(MessageMetadata.Header, Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject(metadata).ToJsonString()))) };
        if (contentType is not null)
        {
            lines.Add(new("Content-Type", contentType));
        }

        return ResponseMatcher.MatchMessage(read.Document!.Interactions[0], ActualResponse.From(200, lines, Bytes(contents, contentType)));
    }

    private static JsonObject Merge(JsonObject into, JsonObject extra)
    {
        foreach (var (key, value) in extra)
        {
            into[key] = value?.DeepClone();
        }

        return into;
    }

    /// <summary>The expected part as a one-interaction pact of the case's version, the actual part as a received response.</summary>
    private static (PactResponse Response, ActualResponse Actual) Build(string version, JsonObject expected, JsonObject actual)
    {
        var major = int.Parse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        var response = new JsonObject { ["status"] = expected["status"]?.DeepClone() ?? 200 };
        foreach (var key in new[] { "headers", "body", "matchingRules" })
        {
            if (expected.TryGetPropertyValue(key, out var value))
            {
                response[key] = value?.DeepClone();
            }
        }

        var interaction = new JsonObject
        {
            ["description"] = "case",
            ["request"] = new JsonObject { ["method"] = "GET", ["path"] = "/" },
            ["response"] = response,
        };
        if (major >= 4)
        {
            interaction["type"] = "Synchronous/HTTP";
        }

        var pact = new JsonObject
        {
            ["consumer"] = new JsonObject { ["name"] = "consumer" },
            ["provider"] = new JsonObject { ["name"] = "provider" },
            ["interactions"] = new JsonArray(interaction),
            ["metadata"] = new JsonObject { ["pactSpecification"] = new JsonObject { ["version"] = version + ".0" } },
        };
        var read = PactReader.Read(pact.ToJsonString());
        Assert.True(read.Document is not null, string.Join("\n", read.Errors));

        var lines = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in actual["headers"] as JsonObject ?? [])
        {
            if (value is JsonArray values)
            {
                lines.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v!.GetValue<string>())));
            }
            else
            {
                lines.Add(new(name, value!.GetValue<string>()));
            }
        }

        var contentType = lines.FirstOrDefault(l => l.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        return (read.Document!.Interactions[0].Response,
            ActualResponse.From(actual["status"]?.GetValue<int>() ?? 200, lines, Bytes(actual["body"], contentType)));
    }

    /// <summary>The bytes a provider would send for the case's actual body.</summary>
    private static byte[] Bytes(JsonNode? body, string? contentType)
    {
        if (body is JsonObject wrapped && wrapped.ContainsKey("content"))
        {
            var content = wrapped["content"];
            if (wrapped["encoded"] is JsonValue encoded && encoded.ToString() == "base64")
            {
                return Convert.FromBase64String(content!.GetValue<string>());
            }

            return content is JsonValue text && text.GetValueKind() == System.Text.Json.JsonValueKind.String
                ? Encoding.UTF8.GetBytes(text.GetValue<string>())
                : content is null ? [] : Encoding.UTF8.GetBytes(content.ToJsonString());
        }

        return body switch
        {
            null => [],
            JsonValue text when text.GetValueKind() == System.Text.Json.JsonValueKind.String
                && (text.GetValue<string>().Length == 0 || !PactReader.IsJson(contentType)) => Encoding.UTF8.GetBytes(text.GetValue<string>()),
            _ => Encoding.UTF8.GetBytes(body.ToJsonString()),
        };
    }
}
