using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Who signs: the <c>--as</c> flag, else the <c>ARCHGATE_USER</c> environment variable, else git's
/// <c>user.name</c> and <c>user.email</c>; the record says which. An identity is declared, not proven: the
/// chain makes records tamper-evident, it does not authenticate their authors.
/// </summary>
public static class SignerIdentity
{
    /// <summary>The environment variable read when <c>--as</c> is not given.</summary>
    public const string EnvironmentVariable = "ARCHGATE_USER";

    /// <summary>The identity and its source, or null when none of the three gives one.</summary>
    /// <param name="flag">The <c>--as</c> value, or null.</param>
    /// <param name="environment">Environment lookup.</param>
    /// <param name="gitConfig">Reads a git config key (<c>user.name</c>), null when unset or git is missing.</param>
    public static (string Identity, IdentitySource Source)? Resolve(string? flag, Func<string, string?> environment, Func<string, string?> gitConfig)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(gitConfig);
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return (flag.Trim(), IdentitySource.Flag);
        }

        if (environment(EnvironmentVariable) is { } env && !string.IsNullOrWhiteSpace(env))
        {
            return (env.Trim(), IdentitySource.Environment);
        }

        var name = gitConfig("user.name")?.Trim();
        var email = gitConfig("user.email")?.Trim();
        return (string.IsNullOrEmpty(name), string.IsNullOrEmpty(email)) switch
        {
            (false, false) => ($"{name} <{email}>", IdentitySource.Git),
            (false, true) => (name!, IdentitySource.Git),
            (true, false) => (email!, IdentitySource.Git),
            _ => null,
        };
    }
}
