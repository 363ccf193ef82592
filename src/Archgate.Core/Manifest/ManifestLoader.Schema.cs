using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Manifest;

/// <summary>
/// 'archgate schema': a JSON Schema (2020-12) of archgate.yaml for editors. Its key sets are the loader's own lists
/// (<see cref="TopKeys"/>, <see cref="ComponentKeys"/>, the pool and database keys, the kinds); a test holds every
/// other object's keys to the ones the loader's readers accept, so the two cannot drift apart unnoticed.
/// </summary>
public static partial class ManifestLoader
{
    /// <summary>The schema's $id.</summary>
    public const string SchemaId = "https://archgate.dev/schema/archgate-1.json";

    /// <summary>The JSON Schema of the manifest, indented.</summary>
    public static string JsonSchema() => Schema().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    internal static JsonObject Schema()
    {
        var component = Closed(ComponentKeys, ["name", "kind"], key => key switch
        {
            "name" => Str("Unique name, used in dependsOn, slo and every finding."),
            "kind" => new JsonObject { ["enum"] = Array(Kinds.Keys) },
            "url" => Str("Absolute http(s) base URL; its host must be in targets.allow."),
            "connection" => Str("Connection string (database components)."),
            "engine" => new JsonObject { ["enum"] = Array(["sqlite", "postgres", "postgresql"]) },
            "health" => new JsonObject { ["type"] = "string", ["pattern"] = "^(/|\\$\\{)" },
            "openapi" => AnyOf(Str("The OpenAPI document, relative to the manifest."), Closed(["path", "baseline", "fixtures", "conformance"], ["path"], k => k switch
            {
                "fixtures" => Ref("map"),
                "conformance" => Closed(["timeout", "budget", "requests", "requestsPerOperation"], [], c => c is "timeout" or "budget" ? Ref("duration") : Ref("int")),
                _ => Ref("string"),
            })),
            "dependsOn" or "pages" => Ref("strings"),
            "owner" => Ref("string"),
            "critical" => Ref("bool"),
            "run" => Closed(["command", "workdir", "env", "ready"], ["command"], r => r switch
            {
                "env" => Ref("stringMap"),
                "ready" => Closed(["http", "tcp", "log", "timeout"], [], k => k switch { "tcp" => Ref("int"), "timeout" => Ref("duration"), _ => Ref("string") }),
                _ => Ref("string"),
            }),
            "policy" => Ref("policy"),
            "auth" => AnyOf(Ref("string"), Ref("identity")),
            "contract" => AnyOf(Ref("string"), Closed(["path"], ["path"], _ => Ref("string"))),
            "ledger" => Closed(["path", "key", "items", "operation"], ["path", "key"], _ => Ref("string")),
            "webhook" => Closed(["to", "path", "secret", "signature", "event"], ["to", "path", "secret"], k => k switch
            {
                "signature" => Closed(["header", "scheme"], [], s => s == "scheme" ? new JsonObject { ["enum"] = Array(["stripe", "github"]) } : Ref("string")),
                "event" => new JsonObject(),
                _ => Ref("string"),
            }),
            "oidc" => Closed(OidcKeys, ["issuer", "clientId", "redirectUri", "user", "to", "path"], k => k is "skew" or "expiryWait" ? Ref("duration") : Ref("string")),
            "expect" => Closed(["migrations", "seed", "constraints"], [], k => k switch
            {
                "migrations" => Closed(["table", "latest", "folder"], [], _ => Ref("string")),
                "constraints" => List(Closed(["table", "unique", "notNull", "foreignKey", "references", "where"], [], k => k == "where" ? Ref("string") : new JsonObject())),
                _ => new JsonObject(),
            }),
            "probes" => List(Closed(["name", "sql", "params", "http", "via", "login"], ["name"], k => k switch
            {
                "params" => Ref("map"),
                "login" => AnyOf(Ref("string"), Closed(["path", "user", "password"], [], _ => Ref("string"))),
                _ => Ref("string"),
            })),
            "pool" => Closed(PoolKeys, [], _ => new JsonObject()),
            "clients" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Closed(["connection", "instances"], [], k => k == "instances" ? Ref("int") : Ref("string")) },
            "faultTests" => new JsonObject(),
            "exchanges" => List(Closed(["name", "type"], ["name"], k => k == "type" ? new JsonObject { ["enum"] = Array(["direct", "topic", "fanout", "headers"]) } : Ref("string"))),
            "queues" => List(Closed(["name", "consumers", "deadLetter", "durable"], ["name"], k => k switch
            {
                "consumers" => AnyOf(Ref("string"), Ref("strings")),
                "durable" => Ref("bool"),
                _ => Ref("string"),
            })),
            "probe" => Closed(["queues", "within"], [], k => k == "within" ? Ref("duration") : Ref("strings")),
            "asyncapi" => AnyOf(Ref("string"), Closed(["path", "exchange", "drive", "collect"], ["path"], k => k switch
            {
                "drive" => Ref("drive"),
                "collect" => Ref("duration"),
                _ => Ref("string"),
            })),
            "discovery" => Closed([.. DiscoverySources, "instances"], [], k => k switch
            {
                "static" => Ref("strings"),
                "instances" => Ref("int"),
                "dns" => Closed(["name", "type", "server", "port", "scheme"], ["name"], d => d == "port" ? Ref("int") : Ref("string")),
                "consul" => Closed(["api", "service", "token"], ["api", "service"], _ => Ref("string")),
                "eureka" => Closed(["api", "app"], ["api", "app"], _ => Ref("string")),
                "kubernetes" => Closed(["api", "namespace", "service", "resource", "port", "token", "scheme"], ["api", "service"], d => d == "port" ? AnyOf(Ref("int"), Ref("string")) : Ref("string")),
                _ => new JsonObject(),
            }),
            "modules" => Closed(["assemblies", "allow", "startup"], ["assemblies"], k => k switch
            {
                "assemblies" => Ref("string"),
                "startup" => Closed(["log", "pattern"], [], _ => Ref("string")),
                _ => new JsonObject(),
            }),
            "requiresAuth" => Ref("request"),
            "resources" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Closed(["database", "table", "key", "columns", "page"], ["database", "table"], k => k switch
            {
                "columns" => Ref("stringMap"),
                "page" => Closed(["path", "item", "show"], ["path", "item"], p => p == "show" ? Ref("strings") : Ref("string")),
                _ => Ref("string"),
            }) },
            "transitions" => new JsonObject
            {
                ["type"] = "object",
                ["description"] = "By item template, each state (the last accepted action, or 'start' for a fresh object) and the actions allowed after it.",
                ["additionalProperties"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("start"), ["additionalProperties"] = Ref("strings") },
            },
            "states" => AnyOf(new JsonObject { ["enum"] = new JsonArray("off", false) }, Closed(["loading", "error", "delay", "within"], [], k => k is "delay" or "within" ? Ref("duration") : Ref("string"))),
            "realtime" => List(Closed(["sse", "websocket", "tokenQuery", "trigger", "event", "within"], ["trigger"], k => k switch
            {
                "trigger" => Step([]),
                "within" => Ref("duration"),
                _ => Ref("string"),
            })),
            _ => new JsonObject(),
        });

        var root = Closed(TopKeys, ["version", "system", "components"], key => key switch
        {
            "version" => new JsonObject { ["description"] = "Schema version; must be 1.", ["enum"] = new JsonArray(1, "1") },
            "system" => Closed(["name", "owners"], ["name"], k => k == "owners" ? Ref("stringMap") : Ref("string")),
            "targets" => Closed(["allow"], [], _ => Ref("strings")),
            "auth" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("identity") },
            "components" => List(component),
            "contracts" => Closed(["pacts", "providers", "stateChange", "auth", "messages"], [], k => k switch
            {
                "pacts" => Ref("strings"),
                "stateChange" => AnyOf(Ref("string"), Closed(["url", "body", "teardown"], [], s => s == "url" ? Ref("string") : Ref("bool"))),
                "auth" => AnyOf(Ref("string"), Closed(["login", "username", "password", "token"], [], _ => Ref("string"))),
                _ => new JsonObject(),
            }),
            "slo" => new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = Closed(["p95", "errorRate", "fcp", "lcp"], [], k => k == "errorRate" ? Ref("percent") : Ref("duration")),
            },
            "journeys" => List(Closed(["name", "service", "frontend", "browsers", "critical", "runs", "vars", "setup", "steps"], ["name", "steps"], k => k switch
            {
                "critical" => Ref("bool"),
                "runs" => Ref("int"),
                "vars" => Ref("map"),
                "browsers" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["enum"] = new JsonArray("chromium", "firefox", "webkit") } },
                "setup" or "steps" => List(AnyOf(Step(["expect"]), BrowserStep())),
                _ => Ref("string"),
            })),
            "load" => Closed(["target", "thinkTime", "setup", "requests", "journeys", "warmup", "stages", "thresholds", "agents", "requestTimeout", "allowNoData"], [], k => k switch
            {
                "thinkTime" or "warmup" or "requestTimeout" => Ref("duration"),
                "setup" => List(Step([])),
                "requests" => List(Step(["weight"])),
                "journeys" => List(Closed(["name", "weight", "thinkTime", "setup", "steps"], ["name", "steps"], j => j switch
                {
                    "weight" => Ref("int"),
                    "thinkTime" => Ref("duration"),
                    "setup" => List(Step([])),
                    "steps" => List(Step(["thinkTime"])),
                    _ => Ref("string"),
                })),
                "stages" => List(Closed(["users", "duration", "rampUp", "name"], ["users", "duration"], s => s switch
                {
                    "users" => Ref("int"),
                    "name" => Ref("string"),
                    _ => Ref("duration"),
                })),
                "thresholds" => new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = List(AnyOf(Ref("string"), Closed(["threshold", "abortOnFail"], ["threshold"], t => t == "abortOnFail" ? Ref("bool") : Ref("string")))),
                },
                "agents" => Ref("int"),
                "allowNoData" => Ref("bool"),
                _ => Ref("string"),
            }),
            "security" => Closed(["protected", "identities", "adminOnly", "roles", "safe", "rules", "configPaths", "audit", "signingKey"], [], k => k switch
            {
                "signingKey" => Closed(["secret", "privateKey"], [], _ => Ref("string")),
                "identities" => List(AnyOf(Ref("string"), Closed(["user", "password"], [], _ => Ref("string")))),
                "safe" => Ref("bool"),
                "rules" => new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["enum"] = Array(["ignore", "warn", "fail"]) } },
                "audit" => Closed(["osvDb", "dotnet", "npm", "python", "go", "cargo", "ruby", "maven", "composer"], [], _ => new JsonObject()),
                "protected" or "adminOnly" => List(Ref("routePattern")),
                "roles" => new JsonObject { ["type"] = "object", ["propertyNames"] = Ref("routePattern"), ["additionalProperties"] = Ref("strings") },
                _ => Ref("strings"),
            }),
            "recovery" => Closed(["retries", "backoff", "rollback", "snapshots", "snapshotMaxMb"], [], k => k switch
            {
                "retries" or "snapshotMaxMb" => Ref("int"),
                "backoff" => Ref("duration"),
                "snapshots" => Ref("bool"),
                _ => Ref("strings"),
            }),
            "escalation" => Closed(["channels", "owners", "executive", "ackWithin", "resources"], [], k => k switch
            {
                "channels" => List(Closed(["console", "file", "webhook", "email"], [], c => c switch
                {
                    "console" => Ref("bool"),
                    "webhook" => AnyOf(Ref("string"), Closed(["url", "format"], ["url"], w => w == "format" ? new JsonObject { ["enum"] = Array(["json", "slack", "teams"]) } : Ref("string"))),
                    "email" => Closed(["host", "port", "from", "to", "starttls", "user", "password"], [], e => e switch
                    {
                        "port" => Ref("int"),
                        "starttls" => Ref("bool"),
                        "to" => AnyOf(Ref("string"), Ref("strings")),
                        _ => Ref("string"),
                    }),
                    _ => Ref("string"),
                })),
                "executive" => AnyOf(Ref("string"), Ref("strings")),
                "ackWithin" => new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("duration") },
                "resources" => Closed(["cpu", "memory", "diskFree"], [], _ => Ref("string")),
                _ => new JsonObject { ["type"] = "object", ["additionalProperties"] = AnyOf(Ref("string"), Ref("strings")) },
            }),
            "signoff" => Closed(["approver", "reviewers", "approvers"], [], k => k switch
            {
                "approver" => Ref("string"),
                "approvers" => new JsonObject { ["deprecated"] = true, ["description"] = "Replaced by approver and reviewers; an error that says what to write." },
                _ => Ref("strings"),
            }),
            "edges" => List(Closed(["from", "to", "toxiproxy", "calls", "breaker", "drive", "fallback", "policy"], ["from", "to"], k => k switch
            {
                "breaker" => Closed(["failures", "breakDuration", "timeout"], [], b => b == "failures" ? Ref("int") : Ref("duration")),
                "drive" => Ref("drive"),
                "fallback" => Closed(["status", "within"], [], f => f == "status" ? AnyOf(Ref("int"), List(Ref("int"))) : Ref("duration")),
                "policy" => Ref("policy"),
                "calls" => AnyOf(Ref("string"), Ref("strings")),
                _ => Ref("string"),
            })),
            "toxiproxy" => Closed(["api"], ["api"], _ => Ref("string")),
            "balancing" => List(Closed(["from", "to", "policy", "drive", "calls", "requests", "concurrency"], ["from", "to"], k => k switch
            {
                "to" => Ref("strings"),
                "policy" => new JsonObject { ["enum"] = Array(["round-robin", "least-connections"]) },
                "drive" => Ref("drive"),
                "calls" => AnyOf(Ref("string"), Ref("strings")),
                "requests" or "concurrency" => Ref("int"),
                _ => Ref("string"),
            })),
            "checks" => Closed(["database", "brokers", "services", "performance", "security", "contracts", "frontend", "edges", "thirdParty", "journeys"], [], k => k switch
            {
                "contracts" => Closed(["conformance"], [], _ => Closed(["timeout", "budget", "requests", "requestsPerOperation"], [], c => c is "timeout" or "budget" ? Ref("duration") : Ref("int"))),
                "frontend" => Closed(["navigationTimeout", "settle", "quiet"], [], _ => Ref("duration")),
                "edges" => Closed(["firstCallWait", "quiet", "sampleEvery", "retryRounds", "maxRetryRounds", "settle", "recovery"], [], e => e.EndsWith("Rounds", StringComparison.Ordinal) ? Ref("int") : Ref("duration")),
                "thirdParty" => Closed(["analytics"], [], _ => Closed(["navigationTimeout", "collect", "renderWithin", "responsive"], [], _ => Ref("duration"))),
                "journeys" => Closed(["successRate", "parallel", "edgeCasesPerOperation", "browserStepTimeout", "browserStartTimeout", "eventSettle", "eventQuiet"], [], j => j switch
                {
                    "successRate" => AnyOf(Str("A percentage such as '95%'."), new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0, ["maximum"] = 1 }),
                    "parallel" or "edgeCasesPerOperation" => Ref("int"),
                    _ => Ref("duration"),
                }),
                "database" => Closed(["connectTimeout", "commandTimeout"], [], _ => Ref("duration")),
                "brokers" => Closed(["connectTimeout", "poll"], [], _ => Ref("duration")),
                "performance" => Closed(["pages"], [], _ => Closed(["loads", "timeout"], [], p => p == "loads" ? Ref("int") : Ref("duration"))),
                "security" => Closed(["requests", "requestsPerOperation", "timeout", "budget", "sleepDelay", "expirySkew", "maxExpiryWait", "guesses"], [],
                    p => p.StartsWith("requests", StringComparison.Ordinal) || p == "guesses" ? Ref("int") : Ref("duration")),
                _ => Closed(["breaker", "cascade"], [], s => s == "breaker"
                    ? Closed(["driveEvery", "openWait", "thresholdWait", "callsAfterThreshold", "recoveryGrace", "sampleEvery"], [], b => b == "callsAfterThreshold" ? Ref("int") : Ref("duration"))
                    : Closed(["settle", "recoveryWait"], [], _ => Ref("duration"))),
            }),
            _ => new JsonObject(),
        });

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = SchemaId,
            ["title"] = "archgate.yaml",
            ["description"] = "Archgate manifest, schema version 1 (docs/manifest.md). Generated by 'archgate schema'.",
        };
        foreach (var (key, value) in root.ToList())
        {
            root.Remove(key);
            schema[key] = value;
        }

        schema["$defs"] = Definitions();
        return schema;
    }

    private static JsonObject Definitions()
    {
        const string env = "\\$\\{[^}]+\\}";
        return new JsonObject
        {
            ["string"] = new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") },
            ["strings"] = new JsonObject { ["type"] = "array", ["items"] = Ref("string") },
            ["stringMap"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = Ref("string") },
            ["map"] = new JsonObject { ["type"] = "object" },
            ["int"] = AnyOf(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string", ["pattern"] = $"^(-?[0-9]+|{env})$" }),
            ["bool"] = AnyOf(new JsonObject { ["type"] = "boolean" }, new JsonObject { ["type"] = "string", ["pattern"] = $"^(true|false|{env})$" }),
            ["duration"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "A number and a unit: 250ms, 10s, 1.5s, 2m, 1h (at most 168h).",
                ["pattern"] = $"^([0-9]+(\\.[0-9]+)?(ms|s|m|h)|.*{env}.*)$",
            },
            ["routePattern"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "A path pattern for every method (/admin/**), or a method, one space and a path pattern (POST /events): ** any rest of the path, * one segment.",
                // The loader takes the method in any case; a JSON Schema pattern has no flag for that.
                ["pattern"] = $"^(((?:{string.Join("|", HttpMethods.Select(m => string.Concat(m.Select(c => $"[{c}{char.ToLowerInvariant(c)}]"))))}) )?/|.*{env}.*)",
            },
            ["percent"] = new JsonObject { ["type"] = "string", ["description"] = "A percentage: 1%, 0.5%.", ["pattern"] = $"^([0-9]+(\\.[0-9]+)?%|.*{env}.*)$" },
            ["policy"] = Closed(["timeout", "retries", "backoff", "fallback"], [], k => k switch
            {
                "timeout" => Ref("duration"),
                "retries" => Ref("int"),
                "backoff" => new JsonObject { ["enum"] = Array(["exponential", "linear", "constant", "none"]) },
                "fallback" => new JsonObject { ["enum"] = Array([.. Model.CallPolicy.Queueing, .. Model.CallPolicy.BestEffort]) },
                _ => Ref("string"),
            }),
            ["drive"] = Closed(["request", "json", "via", "journey"], [], d => d == "json" ? new JsonObject() : Ref("string")),
            ["request"] = Closed(["request", "json", "via"], [], d => d == "json" ? new JsonObject() : Ref("string")),
            ["identity"] = Closed(["login", "at", "user", "password", "token", "fields", "refresh", "logout", "roles", "clientCredentials", "apiKey", "basic", "bearer"], [], k => k switch
            {
                "clientCredentials" => Closed(["token", "clientId", "clientSecret", "scope", "at", "clientAuth"], ["token", "clientId", "clientSecret"],
                    c => c == "clientAuth" ? new JsonObject { ["enum"] = Array(["basic", "post"]) } : Ref("string")),
                "fields" => Closed(["user", "password"], [], _ => Ref("string")),
                "roles" => Ref("strings"),
                "apiKey" => Closed(["header", "name", "in", "value"], ["value"], a => a == "in" ? new JsonObject { ["enum"] = Array(["header", "query", "cookie"]) } : Ref("string")),
                "basic" => Closed(["user", "password"], ["user", "password"], _ => Ref("string")),
                _ => Ref("string"),
            }),
        };
    }

    private static JsonObject Closed(IEnumerable<string> keys, string[] required, Func<string, JsonNode> type)
    {
        var properties = new JsonObject();
        foreach (var key in keys)
        {
            properties[key] = type(key);
        }

        var result = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Length > 0)
        {
            result["required"] = Array(required);
        }

        return result;
    }

    /// <summary>A request step: 'GET /path', a mapping with 'request' (plus <paramref name="extra"/> keys), or a sign-in '- login: ann'.</summary>
    private static JsonObject Step(string[] extra) => AnyOf(
        Ref("string"),
        Closed(["request", "name", "headers", "json", "body", "capture", .. extra], ["request"], k => k switch
        {
            "headers" => Ref("stringMap"),
            "capture" => Ref("stringMap"),
            "weight" => Ref("int"),
            "thinkTime" => Ref("duration"),
            "expect" => new JsonObject
            {
                ["type"] = "object",
                ["description"] = "status, duration, within (poll a read until the rest holds), headers, and JSON paths ($.status) with a value or { equals, contains, matches, exists }.",
                ["patternProperties"] = new JsonObject { ["^\\$"] = AnyOf(Ref("string"), Closed(JsonAssertionKinds, [], _ => new JsonObject())) },
            },
            "json" => new JsonObject(),
            _ => Ref("string"),
        }),
        Closed(["login", "capture", "name"], ["login"], k => k == "capture" ? Ref("stringMap") : Ref("string")));

    /// <summary>A journey's browser step: one of goto, click, fill, expect text, expect visible, wait for response.</summary>
    private static JsonObject BrowserStep() => AnyOf(
        Closed(["goto"], ["goto"], _ => Ref("string")),
        Closed(["click"], ["click"], _ => Ref("string")),
        Closed(["fill"], ["fill"], _ => Ref("stringMap")),
        Closed(["expect text"], ["expect text"], _ => AnyOf(Ref("string"), Ref("stringMap"))),
        Closed(["expect visible"], ["expect visible"], _ => Ref("string")),
        Closed(["wait for response"], ["wait for response"], _ => AnyOf(Ref("string"), Closed(["request", "status"], ["request"], k => k == "status" ? new JsonObject() : Ref("string")))));

    private static JsonObject List(JsonNode items) => new() { ["type"] = "array", ["items"] = items };

    private static JsonObject AnyOf(params JsonNode[] options) => new() { ["anyOf"] = new JsonArray(options) };

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    private static JsonObject Str(string description) => new() { ["type"] = "string", ["description"] = description };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
