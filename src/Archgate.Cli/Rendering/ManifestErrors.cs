using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Cli.Rendering;

/// <summary>Loads a manifest for a command; prints every error to stderr (never a stack trace, never a secret).</summary>
internal static class ManifestErrors
{
    /// <summary>The model, or null after printing the errors (the caller exits with code 2).</summary>
    public static SystemModel? LoadOrReport(string path, TextWriter error)
    {
        var result = ManifestLoader.Load(path);
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
}
