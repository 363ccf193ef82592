using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Cli.Rendering;

/// <summary>Loads a manifest for a command; prints every error to stderr (never a stack trace, never a secret).</summary>
internal static class ManifestErrors
{
    /// <summary>The model, or null after printing the errors (the caller exits with code 2).</summary>
    public static SystemModel? LoadOrReport(string path, TextWriter error) => LoadOrReport(path, error, ManifestLoadOptions.Default, out _);

    /// <summary>
    /// As <see cref="LoadOrReport(string, TextWriter)"/>, with <paramref name="options"/>; <paramref name="unset"/> are the
    /// variables the manifest uses without default that are not set (warnings when the options allow them).
    /// </summary>
    public static SystemModel? LoadOrReport(string path, TextWriter error, ManifestLoadOptions options, out IReadOnlyList<string> unset)
    {
        var result = ManifestLoader.Load(path, options: options);
        unset = result.UnsetVariables;
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

    /// <summary>The line a command that does not need the values ends its output with when some were not set; null when none.</summary>
    public static string? UncheckedNote(IReadOnlyList<string> unset, string what) => unset.Count == 0
        ? null
        : $"{what} without {string.Join(", ", unset)} (not set): the values that use {(unset.Count == 1 ? "it" : "them")} were not checked; 'archgate run' needs {(unset.Count == 1 ? "it" : "them")}";
}
