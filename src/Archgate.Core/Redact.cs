using System.Text.RegularExpressions;

namespace Archgate;

/// <summary>Removes secrets from text before it reaches a report, a log or the terminal.</summary>
public static partial class Redact
{
    /// <summary>What a removed secret is replaced with.</summary>
    public const string Mask = "***";

    /// <summary>Masks password, token and key values of a <c>key=value;</c> connection string.</summary>
    public static string ConnectionString(string connection) =>
        SecretPairPattern().Replace(connection, m => $"{m.Groups[1].Value}={Mask}");

    /// <summary>Masks the user-info part of a URL (<c>https://user:pass@host</c>) and secret-looking query values.</summary>
    public static string Url(string url)
    {
        var withoutUser = UserInfoPattern().Replace(url, m => $"{m.Groups[1].Value}{Mask}@");
        return SecretQueryPattern().Replace(withoutUser, m => $"{m.Groups[1].Value}={Mask}");
    }

    /// <summary>Masks bearer tokens, basic credentials and secret-looking pairs in free text (messages, evidence).</summary>
    public static string Text(string text)
    {
        var result = AuthorizationPattern().Replace(text, m => $"{m.Groups[1].Value} {Mask}");
        result = ConnectionString(result);
        return Url(result);
    }

    [GeneratedRegex(@"(?i)\b(password|pwd|passwd|token|secret|api[_-]?key|access[_-]?key)\s*=\s*[^;""'\s]*")]
    private static partial Regex SecretPairPattern();

    [GeneratedRegex(@"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")]
    private static partial Regex UserInfoPattern();

    [GeneratedRegex(@"(?i)([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|signature))=[^&#\s]*")]
    private static partial Regex SecretQueryPattern();

    [GeneratedRegex(@"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*")]
    private static partial Regex AuthorizationPattern();
}
