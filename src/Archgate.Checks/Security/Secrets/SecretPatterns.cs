using System.Text.RegularExpressions;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Secrets;

/// <summary>A secret found in a text: its kind, how bad, where (character index), and the value masked.</summary>
/// <param name="Kind">What it is: <c>Stripe live secret key</c>, <c>private key</c>, <c>high-entropy value of ApiKey</c>...</param>
/// <param name="Severity">High for keys that open a live account; medium for high-entropy values and tokens; low for test-mode keys and weak literals.</param>
/// <param name="Index">Where it starts in the text.</param>
/// <param name="Masked">The value as it may be shown: a known prefix, then <c>***</c> and its length.</param>
internal sealed record SecretMatch(string Kind, Severity Severity, int Index, string Masked);

/// <summary>
/// Secret-looking values: known key formats (AWS, Stripe-style live keys, GitHub, Slack, Google, private keys, JWTs)
/// anywhere, and high-entropy values under secret-named keys (<c>password</c>, <c>apiKey</c>, <c>client_secret</c>...).
/// Every value leaves this class masked.
/// </summary>
internal static partial class SecretPatterns
{
    private static readonly (string Kind, Severity Severity, int Prefix, Func<Regex> Pattern)[] Formats =
    [
        ("AWS access key id", Severity.High, 4, AwsKeyId),
        ("Stripe-style live secret key", Severity.High, 8, LiveKey),
        ("Stripe-style test key", Severity.Low, 8, TestKey),
        ("GitHub token", Severity.High, 4, GitHub),
        ("Slack token", Severity.High, 5, Slack),
        ("Google API key", Severity.High, 4, GoogleKey),
        ("private key", Severity.High, 0, PrivateKey),
    ];

    /// <summary>Known key formats in <paramref name="text"/>; JWTs too when <paramref name="jwts"/> (logs, config: not answers, where tokens belong).</summary>
    public static IEnumerable<SecretMatch> KnownFormats(string text, bool jwts)
    {
        foreach (var (kind, severity, prefix, pattern) in Formats)
        {
            foreach (Match m in pattern().Matches(text))
            {
                yield return new SecretMatch(kind, severity, m.Index, kind == "private key" ? m.Value.Split("-----", StringSplitOptions.RemoveEmptyEntries)[0] + " (body masked)" : Mask(m.Value, prefix));
            }
        }

        if (jwts)
        {
            foreach (Match m in Jwt().Matches(text))
            {
                yield return new SecretMatch("JWT", Severity.Medium, m.Index, Mask(m.Value, 3));
            }
        }
    }

    /// <summary>Values under secret-named keys (<c>"ApiKey": "..."</c>, <c>password: ...</c>, <c>CLIENT_SECRET=...</c>), literal ones only.</summary>
    public static IEnumerable<SecretMatch> NamedValues(string text)
    {
        // A text the pattern needs more than its time bound for is given up, not waited for: the check has more to read.
        var matches = new List<Match>();
        try
        {
            for (var m = NamedPair().Match(text); m.Success; m = m.NextMatch())
            {
                matches.Add(m);
            }
        }
        catch (RegexMatchTimeoutException)
        {
        }

        foreach (var m in matches)
        {
            var name = m.Groups["name"].Value;
            if (NamesASetting(name))
            {
                continue;
            }

            var value = m.Groups["value"].Value.Split(" #")[0].Trim(); // a trailing comment is not part of it
            if (value is "{" or "[" || (name.Contains('.', StringComparison.Ordinal) && (Version().IsMatch(value) || FileName().IsMatch(name))))
            {
                // "Jwt": { (an object, its members are read one by one), and a package's name with its version or a
                // file it ships ("Microsoft.IdentityModel.Tokens": "8.14.0", "System.IdentityModel.Tokens.Jwt.dll": {).
                continue;
            }

            var end = m.Groups["value"].Index + m.Groups["value"].Length;
            if (value.StartsWith("${", StringComparison.Ordinal) && end < text.Length && text[end] == '}')
            {
                value += "}"; // the value stops before a brace (a JSON object's end): ${NAME} is a reference, not a literal
            }

            if (Classify(name, value) is { } found)
            {
                yield return found with { Index = m.Groups["value"].Index };
            }
        }
    }

    /// <summary>
    /// Every place <paramref name="text"/> holds one of <paramref name="secrets"/> (the values the manifest declares as
    /// secrets, resolved): high, whatever key it is under, since it is that very secret.
    /// </summary>
    public static IEnumerable<SecretMatch> DeclaredValues(string text, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            for (var i = text.IndexOf(secret, StringComparison.Ordinal); i >= 0; i = text.IndexOf(secret, i + secret.Length, StringComparison.Ordinal))
            {
                yield return new SecretMatch("the value of a secret the manifest declares", Severity.High, i, Mask(secret, 0));
            }
        }
    }

    /// <summary>
    /// String values of a JSON document whose key names a secret only with its parent's name: <c>{"Jwt": {"Key": "..."}}</c>
    /// is read by ASP.NET Core as <c>Jwt:Key</c>. Keys that name a secret on their own are left to
    /// <see cref="NamedValues"/>. Nothing for a text that is not JSON.
    /// </summary>
    public static IEnumerable<SecretMatch> NestedJsonValues(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var found = new List<SecretMatch>();
        var names = new List<string?>();
        string? property = null;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(bytes, new System.Text.Json.JsonReaderOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 64 });
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case System.Text.Json.JsonTokenType.StartObject or System.Text.Json.JsonTokenType.StartArray:
                        names.Add(property);
                        property = null;
                        break;
                    case System.Text.Json.JsonTokenType.EndObject or System.Text.Json.JsonTokenType.EndArray:
                        names.RemoveAt(names.Count - 1);
                        property = null;
                        break;
                    case System.Text.Json.JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case System.Text.Json.JsonTokenType.String:
                        if (property is not null && names.Count > 0 && names[^1] is { } parent && !IsSecretName(property)
                            && IsSecretName($"{parent}:{property}") && Classify($"{parent}:{property}", reader.GetString() ?? string.Empty) is { } match)
                        {
                            var index = System.Text.Encoding.UTF8.GetCharCount(bytes, 0, (int)reader.TokenStartIndex);
                            found.Add(match with { Index = index });
                        }

                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not JSON (or not all of it): what was read before the error stands
        }

        return found;
    }

    /// <summary>
    /// As <see cref="NestedJsonValues"/>, for a YAML document (Spring's <c>application.yml</c>, a Helm values file):
    /// <c>jwt:\n  key: ...</c> is <c>jwt:key</c>. Nothing for a text that is not YAML.
    /// </summary>
    public static IEnumerable<SecretMatch> NestedYamlValues(string text)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return [];
        }

        var found = new List<SecretMatch>();
        foreach (var document in stream.Documents)
        {
            Walk(document.RootNode, null);
        }

        return found;

        void Walk(YamlDotNet.RepresentationModel.YamlNode node, string? parent)
        {
            switch (node)
            {
                case YamlDotNet.RepresentationModel.YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        var key = (k as YamlDotNet.RepresentationModel.YamlScalarNode)?.Value;
                        if (key is null)
                        {
                            continue;
                        }

                        if (v is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } value } scalar)
                        {
                            if (parent is not null && !IsSecretName(key) && IsSecretName($"{parent}:{key}") && Classify($"{parent}:{key}", value) is { } match)
                            {
                                found.Add(match with { Index = (int)Math.Min(scalar.Start.Index, text.Length) });
                            }
                        }
                        else
                        {
                            Walk(v, key);
                        }
                    }

                    break;
                case YamlDotNet.RepresentationModel.YamlSequenceNode sequence:
                    foreach (var item in sequence.Children)
                    {
                        Walk(item, null);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Whether a key names a secret: it holds a secret's word (<c>password</c>, <c>token</c>, <c>apiKey</c>...) and its
    /// last word does not make it a setting about one (<see cref="NamesASetting"/>).
    /// </summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name) && !NamesASetting(name);

    /// <summary>
    /// Whether the last word of a secret-sounding key says the value is a quantity, a place or a name rather than the
    /// secret itself: <c>TOKEN_SECONDS</c> (a lifetime), <c>PASSWORD_MIN_LENGTH</c>, <c>TOKEN_URL</c>,
    /// <c>API_KEY_HEADER</c>, <c>PASSWORD_FILE</c> (where the secret is). Words split at <c>_</c>, <c>-</c>, <c>.</c> and
    /// lower-to-upper case changes (<c>tokenTtl</c>).
    /// </summary>
    public static bool NamesASetting(string name)
    {
        var words = Words().Split(name).Where(w => w.Length > 0).ToList();
        return words.Count > 1 && !SecretName().IsMatch(words[^1]) && SettingWords.Contains(words[^1]);
    }

    private static readonly HashSet<string> SettingWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "seconds", "secs", "sec", "ms", "millis", "milliseconds", "minutes", "mins", "hours", "days", "ttl", "lifetime",
        "expiry", "expiration", "expires", "timeout", "age", "skew", "length", "len", "size", "bytes", "bits", "count", "limit",
        "max", "min", "attempts", "url", "uri", "endpoint", "host", "port", "path", "file", "dir", "folder", "header",
        "name", "param", "parameter", "query", "field", "alg", "algorithm", "type", "issuer", "audience", "enabled", "id", "kid",
    };

    [GeneratedRegex(@"[_\-.:\s]+|(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex Words();

    /// <summary>
    /// A literal value under a secret-named key, judged: a known format as such; a test-mode key or a short, low-entropy
    /// value (a demo password) low; a long high-entropy value medium. Null for references and empty values.
    /// </summary>
    public static SecretMatch? Classify(string name, string value)
    {
        if (value.Length == 0 || value.Any(char.IsWhiteSpace) || Reference().IsMatch(value) || value is "null" or "true" or "false" || Placeholder().IsMatch(value))
        {
            return null;
        }

        if (KnownFormats(value, jwts: true).FirstOrDefault() is { } known)
        {
            return known with { Index = 0 };
        }

        var test = TestMarker().IsMatch(value);
        var strong = value.Length >= 16 && Entropy(value) >= 3.5;
        return new SecretMatch(
            strong ? $"{(test ? "test-mode" : "high-entropy")} value of {name}" : $"literal value of {name}",
            strong && !test ? Severity.Medium : Severity.Low,
            0,
            Mask(value, 0));
    }

    /// <summary>Shannon entropy in bits per character.</summary>
    public static double Entropy(string value)
    {
        var counts = value.GroupBy(c => c).Select(g => (double)g.Count() / value.Length);
        return -counts.Sum(p => p * Math.Log2(p));
    }

    /// <summary>The first <paramref name="prefix"/> characters (a format's public prefix), then <c>***</c> and the length.</summary>
    public static string Mask(string value, int prefix) =>
        $"{value[..Math.Min(prefix, value.Length / 2)]}{Redact.Mask} ({value.Length} chars)";

    [GeneratedRegex(@"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")]
    private static partial Regex AwsKeyId();

    [GeneratedRegex(@"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}\b")]
    private static partial Regex LiveKey();

    [GeneratedRegex(@"\b(?:sk|rk)_test_[0-9A-Za-z_]{8,}\b")]
    private static partial Regex TestKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b")]
    private static partial Regex GitHub();

    [GeneratedRegex(@"\bxox[abposr]-[0-9A-Za-z-]{10,}")]
    private static partial Regex Slack();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}\b")]
    private static partial Regex GoogleKey();

    [GeneratedRegex(@"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----")]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|signing[_-]?key|client[_-]?secret|conn(?:ection)?[_-]?string|(?:jwt|jws|jwe|hmac|encryption|crypto|cipher|signing|api)[_.:-]{0,2}key)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^[~^>=<\[(]*\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?(?:\s*,\s*\d*(?:\.\d+)*)?[)\]]?$")]
    private static partial Regex Version();

    [GeneratedRegex(@"\.(?:dll|exe|so|dylib|pdb|xml|json|nupkg|targets|props|js|jar)$", RegexOptions.IgnoreCase)]
    private static partial Regex FileName();

    // "Name": "value" (JSON), Name: value (YAML), NAME=value (env, ini, properties), key="Name" value="..." is left out.
    // The name starts where a name can (not inside a longer run of name characters) and is at most 64 characters on
    // either side of its keyword: unanchored and unbounded, a line of 262,000 letters (a probe's value a service logged)
    // took the engine minutes, each start position scanning the rest of the run.
    [GeneratedRegex(@"(?im)[""']?(?<![A-Za-z0-9_.-])(?<name>[A-Za-z0-9_.-]{0,64}(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|signing[_-]?key|credential|(?:jwt|jws|jwe|hmac|encryption)[_.-]{0,2}key)[A-Za-z0-9_.-]{0,64})[""']?\s*[:=]\s*[""']?(?<value>[^""'\r\n,}]{1,512})", RegexOptions.None, matchTimeoutMilliseconds: 5000)]
    private static partial Regex NamedPair();

    [GeneratedRegex(@"^\$\{[^}]+\}$|^\$[A-Z_][A-Z0-9_]*$|^%[A-Z_][A-Z0-9_]*%$|^\{\{.*\}\}$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^(?:\*+|x{3,}|<[^>]*>|\.\.\.|changeme-in-production|your[-_ ].*|REPLACE[-_ ]?ME|TODO)$", RegexOptions.IgnoreCase)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?i)(?:^|[_-])test(?:[_-]|$)|^test|_test_|demo|example|dummy|fake|sample")]
    private static partial Regex TestMarker();
}
