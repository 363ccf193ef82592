using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class SecuritySectionReader
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

            r.AllowKeys(audit, "security.audit", "osvDb", "dotnet", "npm", "python", "go", "cargo", "ruby", "maven", "composer");
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

            return new DependencyAuditSpec { OsvDatabase = database, DotNet = Files("dotnet"), Npm = Files("npm"), Python = Files("python"), Go = Files("go"), Cargo = Files("cargo"), Ruby = Files("ruby"), Maven = Files("maven"), Composer = Files("composer") };
        }

        /// <summary><c>signingKey: { secret: ${JWT_SECRET} }</c> or <c>{ privateKey: keys/issuer.pem }</c> (a PEM file relative to the manifest).</summary>
        private JwtSigningKey? ReadSigningKey(YamlMappingNode security)
        {
            const string path = "security.signingKey";
            var map = r.Mapping(YamlReader.Get(security, "signingKey"), path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "secret", "privateKey");
            var secretNode = YamlReader.Get(map, "secret");
            var keyNode = YamlReader.Get(map, "privateKey");
            if ((secretNode is null) == (keyNode is null))
            {
                r.Error(map, path, secretNode is null ? "no key given" : "both 'secret' and 'privateKey' given",
                    "give the issuer's HMAC secret ('secret: ${JWT_SECRET}') or its PEM private key file ('privateKey: keys/issuer.pem'), not both");
                return null;
            }

            if (secretNode is not null)
            {
                var secret = r.String(secretNode, $"{path}.secret");
                if (secret is { Length: 0 })
                {
                    r.Error(secretNode, $"{path}.secret", "the secret is empty", "give the secret the issuer signs with, preferably from the environment: 'secret: ${JWT_SECRET}'");
                    return null;
                }

                return secret is null ? null : new JwtSigningKey(secret, null);
            }

            if (ExistingFile(keyNode!, $"{path}.privateKey") is not { } file)
            {
                return null;
            }

            var pem = File.ReadAllText(file);
            if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                r.Error(keyNode!, $"{path}.privateKey", "the file holds no PEM private key", "give a PEM file with a '-----BEGIN PRIVATE KEY-----' (or RSA / EC PRIVATE KEY) block");
                return null;
            }

            return new JwtSigningKey(null, pem);
        }
    }
}
