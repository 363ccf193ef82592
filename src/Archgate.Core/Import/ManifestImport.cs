using YamlDotNet.RepresentationModel;

namespace Archgate.Import;

/// <summary>The formats 'archgate init --from' reads.</summary>
internal enum ImportFormat
{
    Compose,
    Aspire,
    Kubernetes,
}

/// <summary>'archgate init --from FILE': recognizes the file's format and writes the manifest text.</summary>
internal static class ManifestImport
{
    /// <summary>The format of a source text: JSON with 'resources' is Aspire, YAML with 'services' Compose, YAML with 'kind' Kubernetes.</summary>
    public static ImportFormat Detect(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return ImportFormat.Aspire;
        }

        var documents = ImportYaml.Documents(text);
        if (documents.Count == 1 && documents[0] is YamlMappingNode map && ImportYaml.Get(map, "services") is YamlMappingNode)
        {
            return ImportFormat.Compose;
        }

        if (documents.OfType<YamlMappingNode>().Any(d => ImportYaml.Text(d, "kind") is not null && ImportYaml.Text(d, "apiVersion") is not null))
        {
            return ImportFormat.Kubernetes;
        }

        throw new ImportException("not a docker-compose file (no 'services'), an Aspire manifest (JSON with 'resources') or Kubernetes YAML (documents with 'apiVersion' and 'kind')");
    }

    /// <summary>Reads <paramref name="sourceText"/> and returns the manifest to write.</summary>
    /// <param name="sourceText">The source file's content.</param>
    /// <param name="sourceFromManifest">The source file's path relative to the manifest's folder ('docker-compose.yml', '../deploy/k8s.yaml').</param>
    /// <param name="systemName">The system's name when the source names none.</param>
    /// <param name="docker">Whether 'docker' runs here (compose: run sections).</param>
    /// <param name="command">The command line, quoted in the manifest's first comment.</param>
    public static (ImportedSystem System, string Manifest) Convert(string sourceText, string sourceFromManifest, string systemName, bool docker, string command)
    {
        var system = Read(sourceText, sourceFromManifest, systemName, docker);
        return (system, ManifestWriter.Write(system, command));
    }

    /// <summary>Reads <paramref name="sourceText"/> into what the manifest will say (see <see cref="Convert"/>).</summary>
    public static ImportedSystem Read(string sourceText, string sourceFromManifest, string systemName, bool docker)
    {
        sourceFromManifest = sourceFromManifest.Replace('\\', '/');
        var system = Detect(sourceText) switch
        {
            ImportFormat.Compose => ComposeImporter.Read(sourceText, sourceFromManifest, systemName, docker),
            ImportFormat.Aspire => AspireImporter.Read(sourceText, Path.GetDirectoryName(sourceFromManifest)?.Replace('\\', '/') is { Length: > 0 } folder ? folder : ".", systemName),
            _ => KubernetesImporter.Read(sourceText, Path.GetFileName(sourceFromManifest), systemName),
        };
        if (system.Components.Count == 0)
        {
            throw new ImportException($"{system.Source} describes no component Archgate can check");
        }

        // A reference to something that is not written as a component (a server written as its databases, a parameter) is no edge.
        var names = system.Components.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var component in system.Components)
        {
            component.DependsOn.RemoveAll(d => !names.Contains(d.Name));
        }

        return system;
    }
}
