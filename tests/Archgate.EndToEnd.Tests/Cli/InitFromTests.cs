namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'archgate init --from' and 'archgate schema' as a user types them.</summary>
public sealed class InitFromTests : CliTestBase
{
    private static string Inputs => Path.Combine(ArchgateProcess.RepositoryRoot, "tests", "Archgate.Core.Tests", "Golden", "Import");

    [Fact]
    public async Task Init_from_a_compose_file_writes_a_manifest_and_its_schema_that_validate_plan_and_refuses_what_it_cannot_read()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "deploy"));
        File.Copy(Path.Combine(Inputs, "shop.compose.yml"), Path.Combine(Folder, "deploy", "docker-compose.yml"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "notes.yml"), "just: text\n");

        var init = await ArchgateAsync("init", "--from", "deploy/docker-compose.yml");
        var validate = await ArchgateAsync("validate");
        var plan = await ArchgateAsync("plan", "--print");
        var schema = await ArchgateAsync("schema");
        var unknown = await ArchgateAsync("init", "other.yaml", "--from", "notes.yml");
        var discoverAlone = await ArchgateAsync("init", "third.yaml", "--discover-openapi");

        Assert.Equal(0, init.ExitCode);
        Assert.Contains("5 components from docker-compose.yml (Docker Compose)", init.Stdout, StringComparison.Ordinal);
        var manifest = await File.ReadAllTextAsync(Path.Combine(Folder, "archgate.yaml"));
        Assert.StartsWith("# yaml-language-server: $schema=archgate.schema.json", manifest, StringComparison.Ordinal);
        Assert.Contains("docker compose -f deploy/docker-compose.yml up --no-deps api", manifest, StringComparison.Ordinal);
        Assert.Equal(schema.Stdout, await File.ReadAllTextAsync(Path.Combine(Folder, "archgate.schema.json")) + "\n");
        Assert.Contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"", schema.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("valid (5 components, system 'shop')", validate.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, plan.ExitCode);
        Assert.Contains("api", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("notes.yml: not a docker-compose file", unknown.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Folder, "other.yaml")));
        Assert.Equal(1, discoverAlone.ExitCode);
        Assert.Contains("--discover-openapi needs --from", discoverAlone.Stderr, StringComparison.Ordinal);
    }
}
