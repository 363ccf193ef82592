using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>Reading <c>security.configPaths</c> and <c>security.audit</c> (step 9's secrets scan and dependency audit).</summary>
public static partial class ManifestLoader
{
    private sealed partial class Builder
    {
        private List<string> ReadConfigPaths(YamlMappingNode security)
        {
            var result = new List<string>();
            var index = 0;
            foreach (var (text, node) in r.StringList(YamlReader.Get(security, "configPaths"), "security.configPaths"))
            {
                var path = $"security.configPaths[{index++}]";
                var full = Path.GetFullPath(Path.Combine(baseDirectory, text));
                if (!Directory.Exists(full) && !File.Exists(full))
                {
                    r.Error(node, path, $"no such folder or file: {text}", "paths are relative to the folder of the manifest");
                    continue;
                }

                result.Add(full);
            }

            return result;
        }

        private DependencyAuditSpec ReadAudit(YamlMappingNode security)
        {
            var audit = r.Mapping(YamlReader.Get(security, "audit"), "security.audit");
            if (audit is null)
            {
                return new DependencyAuditSpec();
            }

            r.AllowKeys(audit, "security.audit", "osvDb", "dotnet", "npm", "python");
            string? database = null;
            if (r.String(YamlReader.Get(audit, "osvDb"), "security.audit.osvDb") is { } db)
            {
                var full = Path.GetFullPath(Path.Combine(baseDirectory, db));
                if (Directory.Exists(full) || File.Exists(full))
                {
                    database = full;
                }
                else
                {
                    r.Error(YamlReader.Get(audit, "osvDb")!, "security.audit.osvDb", $"no such folder or zip: {db}",
                        "an OSV export: a folder of OSV JSON files or an ecosystem's all.zip, relative to the folder of the manifest");
                }
            }

            List<string> Files(string key)
            {
                var files = new List<string>();
                var index = 0;
                foreach (var (_, node) in r.StringList(YamlReader.Get(audit, key), $"security.audit.{key}"))
                {
                    if (ExistingFile(node, $"security.audit.{key}[{index++}]") is { } file)
                    {
                        files.Add(file);
                    }
                }

                return files;
            }

            return new DependencyAuditSpec { OsvDatabase = database, DotNet = Files("dotnet"), Npm = Files("npm"), Python = Files("python") };
        }
    }
}
