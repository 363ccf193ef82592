using System.Text;
using Archgate.Manifest.Secrets;

namespace Archgate.Manifest;

/// <summary>
/// Expands <c>${VAR}</c> and <c>${VAR:-default}</c> from the environment; <c>$$</c> is a literal <c>$</c>;
/// <c>${url:NAME}</c> stays as written (a component's address, filled in at start-up); <c>${vault:...}</c> and
/// <c>${aws-sm:...}</c> are looked up in a secret store (<see cref="SecretStores"/>).
/// </summary>
internal static class Interpolation
{
    /// <summary>
    /// Expands <paramref name="text"/>; names of unset variables without default go to <paramref name="missing"/>, and the
    /// variables whose value was used to <paramref name="used"/> (name, value), so errors can name them instead of echoing them;
    /// variables whose default was taken go to <paramref name="defaulted"/>, and secret references, with what
    /// <paramref name="secrets"/> found for each, to <paramref name="resolved"/> (without a resolver they stay as written).
    /// </summary>
    public static string Expand(string text, Func<string, string?> environment, List<string> missing, List<(string Name, string Value)>? used = null,
        List<string>? defaulted = null, Func<string, SecretLookup>? secrets = null, List<(string Reference, SecretLookup Lookup)>? resolved = null)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                result.Append('$');
                i += 2;
                continue;
            }

            if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    result.Append(text, i, text.Length - i);
                    break;
                }

                var body = text.Substring(i + 2, close - i - 2);
                if (body.StartsWith("url:", StringComparison.Ordinal) && !body.StartsWith("url:-", StringComparison.Ordinal))
                {
                    // ${url:NAME}: a component's address, filled in when the system is started (EdgeAddress).
                    result.Append(text, i, close - i + 1);
                    i = close + 1;
                    continue;
                }

                if (SecretStores.IsReference(body))
                {
                    if (secrets is null)
                    {
                        result.Append(text, i, close - i + 1);
                    }
                    else
                    {
                        var lookup = secrets(body);
                        resolved?.Add((body, lookup));
                        result.Append(lookup.Value ?? string.Empty);
                    }

                    i = close + 1;
                    continue;
                }

                var sep = body.IndexOf(":-", StringComparison.Ordinal);
                var name = sep >= 0 ? body[..sep] : body;
                var value = environment(name);
                if (string.IsNullOrEmpty(value))
                {
                    if (sep >= 0)
                    {
                        value = body[(sep + 2)..];
                        defaulted?.Add(name);
                    }
                    else if (value is null)
                    {
                        missing.Add(name);
                        value = string.Empty;
                    }
                }
                else
                {
                    used?.Add((name, value));
                }

                result.Append(value);
                i = close + 1;
                continue;
            }

            result.Append(c);
            i++;
        }

        return result.ToString();
    }
}
