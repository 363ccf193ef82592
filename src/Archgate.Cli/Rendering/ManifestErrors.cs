using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Cli.Rendering;

/// <summary>Loads a manifest for a command; prints every error to stderr (never a stack trace, never a secret).</summary>
internal static class ManifestErrors
{
    /// <summary>The model, or null after printing the errors (the caller exits with code 2).</summary>
    public static SystemModel? LoadOrReport(string path, TextWriter error) => LoadOrReport(path, error, ManifestLoadOptions.Default, out _);

    /// <summary>
    /// As <see cref="LoadOrReport(string, TextWriter)"/>, with <paramref name="options"/>; <paramref name="result"/> tells
    /// what was left unchecked (unset variables, unread secret references: warnings when the options allow them).
    /// </summary>
    public static SystemModel? LoadOrReport(string path, TextWriter error, ManifestLoadOptions options, out ManifestLoadResult result)
    {
        result = ManifestLoader.Load(path, options: options);
        foreach (var warning in result.Warnings)
        {
            error.WriteLine(warning.ToString());
        }

        if (result.Succeeded)
        {
            return result.Model;
        }

        foreach (var e in result.Errors)
        {
            error.WriteLine(e.ToString());
        }

        error.WriteLine($"{result.Errors.Count} problem{(result.Errors.Count == 1 ? string.Empty : "s")} in {path}; nothing was run.");
        return null;
    }

    /// <summary>
    /// The lines a command that does not need the values ends its output with: the variables that were not set, and the
    /// secret references it did not read. Empty when it checked every value.
    /// </summary>
    public static IEnumerable<string> UncheckedNotes(ManifestLoadResult result, string what)
    {
        var unset = result.UnsetVariables;
        if (unset.Count > 0)
        {
            yield return $"{what} without {string.Join(", ", unset)} (not set): the values that use {(unset.Count == 1 ? "it" : "them")} were not checked; 'archgate run' needs {(unset.Count == 1 ? "it" : "them")}";
        }

        var unread = result.UnreadSecrets;
        if (unread.Count > 0)
        {
            var stores = string.Join(" and ", unread.Select(r => r[..r.IndexOf(':', StringComparison.Ordinal)] == "vault" ? "Vault" : "AWS Secrets Manager").Distinct());
            yield return $"{what} without reading {unread.Count} secret reference{(unread.Count == 1 ? string.Empty : "s")} from {stores} " +
                $"({string.Join(", ", unread.Take(3).Select(r => "${" + r + "}"))}{(unread.Count > 3 ? ", ..." : string.Empty)}): their form was checked, " +
                "the values that use them were not; 'archgate run' reads them";
        }
    }
}
