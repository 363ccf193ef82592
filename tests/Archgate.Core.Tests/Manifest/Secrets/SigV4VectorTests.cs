using System.Globalization;
using System.Text;
using System.Text.Json;
using Archgate.Manifest.Secrets;

namespace Archgate.Core.Tests.Manifest.Secrets;

/// <summary>Every header-signing case of the aws-c-auth SigV4 test suite (SigV4Vectors/README.md): canonical request, string to sign, signature.</summary>
public sealed class SigV4VectorTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Manifest", "Secrets", "SigV4Vectors");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Fact]
    public void The_suite_is_all_there() => Assert.Equal(38, Cases().Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Signing_matches_the_published_vector(string name)
    {
        var dir = Path.Combine(Root, name);
        using var context = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "context.json")));
        var root = context.RootElement;
        var creds = root.GetProperty("credentials");
        var omitToken = root.TryGetProperty("omit_session_token", out var omit) && omit.GetBoolean();
        var credentials = new AwsCredentials(
            creds.GetProperty("access_key_id").GetString()!,
            creds.GetProperty("secret_access_key").GetString()!,
            !omitToken && creds.TryGetProperty("token", out var token) ? token.GetString() : null);
        var time = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);

        var signed = SigV4.Sign(ParseRequest(File.ReadAllBytes(Path.Combine(dir, "request.txt"))), credentials,
            root.GetProperty("region").GetString()!, root.GetProperty("service").GetString()!, time,
            root.GetProperty("normalize").GetBoolean(), root.GetProperty("sign_body").GetBoolean());

        Assert.Equal(Read(dir, "header-canonical-request.txt"), signed.CanonicalRequest);
        Assert.Equal(Read(dir, "header-string-to-sign.txt"), signed.StringToSign);
        Assert.Equal(Read(dir, "header-signature.txt"), signed.Signature);
        Assert.Contains(signed.HeadersToAdd, h => h.Name == "Authorization" && h.Value.EndsWith("Signature=" + signed.Signature, StringComparison.Ordinal));
    }

    [Fact]
    public void A_different_secret_gives_a_different_signature()
    {
        var request = new SigV4Request("GET", "/", [], [("Host", "example.amazonaws.com")], []);
        var time = new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
        var a = SigV4.Sign(request, new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), "us-east-1", "service", time);
        var b = SigV4.Sign(request, new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", null), "us-east-1", "service", time);
        Assert.Equal(a.StringToSign, b.StringToSign);
        Assert.NotEqual(a.Signature, b.Signature);
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>request.txt: "METHOD path[?query] HTTP/1.1", "Name:value" lines (a line starting with blanks continues the last value), a blank line, the body.</summary>
    private static SigV4Request ParseRequest(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal);
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = split >= 0 ? text[..split] : text.TrimEnd('\n');
        var body = split >= 0 ? Encoding.UTF8.GetBytes(text[(split + 2)..]) : [];
        var lines = head.Split('\n');
        var first = lines[0];
        var method = first[..first.IndexOf(' ', StringComparison.Ordinal)];
        var target = first[(method.Length + 1)..first.LastIndexOf(" HTTP/", StringComparison.Ordinal)];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question >= 0 ? target[..question] : target;
        var query = new List<(string, string)>();
        if (question >= 0)
        {
            foreach (var pair in target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                query.Add(eq >= 0 ? (Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..])) : (Uri.UnescapeDataString(pair), string.Empty));
            }
        }

        var headers = new List<(string Name, string Value)>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length > 0 && line[0] is ' ' or '\t' && headers.Count > 0)
            {
                headers[^1] = (headers[^1].Name, headers[^1].Value + " " + line.Trim());
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add((line[..colon], line[(colon + 1)..]));
        }

        return new SigV4Request(method, path, query, headers, body);
    }
}
