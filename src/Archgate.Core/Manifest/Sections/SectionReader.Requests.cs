using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private abstract partial class SectionReader
    {
        protected (ScenarioRequest Request, int Weight)? ReadRequest(YamlNode item, string path, HashSet<string> known, bool allowWeight, string[]? extraKeys = null)
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
        /// <c>- login: ann</c>: the identity's login request, or the client credentials grant of a <c>clientCredentials</c>
        /// identity, its token captured as <c>{token}</c> (or the variable named by <c>capture</c>).
        /// </summary>
        protected (ScenarioRequest Request, int Weight)? ReadLoginStep(YamlMappingNode map, YamlNode loginNode, string path, HashSet<string> known)
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

            var name = r.String(YamlReader.Get(map, "name"), $"{path}.name");
            ScenarioRequest request;
            switch (auth)
            {
                case LoginAuth login:
                    CheckSignInPlace(loginNode, $"{path}.login", login, login.At);
                    request = new ScenarioRequest(login.Method, login.Path)
                    {
                        Name = name ?? $"login as {auth.Name}",
                        Headers = [new("Content-Type", "application/json")],
                        Body = login.Body(),
                        SignIn = login,
                        Captures = [new ScenarioCapture(variable, CaptureSource.JsonProperty, login.TokenField)],
                    };
                    break;
                case ClientCredentialsAuth client:
                    // The grant is an ordinary request of the scenario: every runner of steps (the load's setup, its agents,
                    // a virtual user's setup, a journey) sends it as it is, and captures the access token (RFC 6749, 4.4).
                    CheckSignInPlace(loginNode, $"{path}.login", client, client.At);
                    request = new ScenarioRequest(client.Token.Method, client.Token.Path)
                    {
                        Name = name ?? $"token for {auth.Name}",
                        Headers = client.BasicAuthorization is { } basic
                            ? [new("Content-Type", "application/x-www-form-urlencoded"), new("Authorization", basic)]
                            : [new("Content-Type", "application/x-www-form-urlencoded")],
                        Body = client.FormBody(),
                        SignIn = client,
                        Captures = [new ScenarioCapture(variable, CaptureSource.JsonProperty, "access_token")],
                    };
                    break;
                default:
                    r.Error(loginNode, $"{path}.login", $"'{auth.Name}' does not sign in with a login or a client credentials grant ({auth})",
                        $"send its credentials as headers of each request instead, or give '{auth.Name}' a 'login: POST /path'");
                    return null;
            }

            known.Add(variable);
            return (request, 1);
        }

        /// <summary>
        /// A reader whose requests cannot reach every component says here when a sign-in step's login or token endpoint
        /// cannot be sent (<paramref name="at"/>: the component it belongs to, null for the called service).
        /// </summary>
        protected virtual void CheckSignInPlace(YamlNode node, string path, ServiceAuth identity, string? at)
        {
        }

        protected List<ScenarioCapture> ReadCaptures(YamlNode? node, string path)
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

        protected string ToJson(YamlNode node, string path)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WriteJson(writer, node, path);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        protected void WriteJson(Utf8JsonWriter writer, YamlNode node, string path)
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
    }
}
