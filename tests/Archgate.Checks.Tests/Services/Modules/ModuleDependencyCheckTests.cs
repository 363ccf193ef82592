using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Archgate.Checks.Services.Modules;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Services.Modules;

/// <summary>
/// Archgate's own compiled assemblies are the monolith: the tests → Checks → Core layering is a true negative, a
/// declaration that reverses it a true positive. Cycles come from tiny assemblies emitted with MetadataBuilder.
/// </summary>
public sealed class ModuleDependencyCheckTests
{
    private static readonly string Bin = AppContext.BaseDirectory;

    private static async Task<CheckResult> RunAsync(string folder, string allow, string? startup = null)
    {
        var system = TestSystems.Load($$$"""
            version: 1
            system: { name: s }
            components:
              - name: mono
                kind: service
                url: http://127.0.0.1:1
                modules:
                  assemblies: "{{{folder}}}"
                  allow: {{{allow}}}
                  {{{(startup is null ? string.Empty : $"startup: {startup}")}}}
            """);
        var check = Assert.IsType<ModuleDependencyCheck>(ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "services.modules:mono"));
        using var http = new HttpClient();
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task Archgates_own_layering_as_declared_passes_with_the_compiled_graph_as_evidence()
    {
        var result = await RunAsync(Bin, "{ Archgate.Checks.Tests: [Archgate.Checks, Archgate.Core], Archgate.Checks: [Archgate.Core], Archgate.Core: [] }");

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG4043", finding.Rule);
        Assert.Contains("Archgate.Checks → Archgate.Core", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("Archgate.Core → (none)", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(3, result.Metrics.Single(m => m.Name == "module_dependencies").Value);
    }

    [Fact]
    public async Task A_declaration_that_forbids_a_compiled_reference_fails_naming_both_modules()
    {
        var result = await RunAsync(Bin, "{ Archgate.Checks.Tests: [Archgate.Checks], Archgate.Checks: [], Archgate.Core: [Archgate.Checks], Missing.Module: [] }");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var forbidden = result.Findings.Where(f => f.Rule == "AG4041").Select(f => f.Message).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, forbidden.Count);
        Assert.StartsWith("module Archgate.Checks references Archgate.Core, which it may not depend on (allowed: none)", forbidden[0], StringComparison.Ordinal);
        Assert.StartsWith("module Archgate.Checks.Tests references Archgate.Core", forbidden[1], StringComparison.Ordinal);
        Assert.Equal("Missing.Module", Assert.Single(result.Findings, f => f.Rule == "AG4040").Location);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG4042");
    }

    [Fact]
    public async Task Modules_referencing_each_other_in_a_cycle_are_reported_with_the_cycle()
    {
        var folder = Path.Combine(Path.GetTempPath(), "archgate-modules-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            Emit(folder, "Shop.Orders", "Shop.Billing", "System.Runtime");
            Emit(folder, "Shop.Billing", "Shop.Customers");
            Emit(folder, "Shop.Customers", "Shop.Orders");
            Emit(folder, "Shop.Shared");

            var result = await RunAsync(folder, "{ Shop.Orders: [Shop.Billing, Shop.Shared], Shop.Billing: [Shop.Customers], Shop.Customers: [Shop.Orders], Shop.Shared: [] }");

            var cycle = Assert.Single(result.Findings);
            Assert.Equal("AG4042", cycle.Rule);
            Assert.Contains("Shop.Billing → Shop.Customers → Shop.Orders → Shop.Billing", cycle.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_startup_log_must_show_each_module_after_the_modules_it_references()
    {
        var log = Path.Combine(Path.GetTempPath(), $"archgate-startup-{Guid.NewGuid():N}.log");
        await File.WriteAllLinesAsync(log, ["info: host starting", "info: module Archgate.Checks initialized", "info: module Archgate.Core initialized", "noise"]);
        try
        {
            var allow = "{ Archgate.Checks: [Archgate.Core], Archgate.Core: [], Archgate.Checks.Tests: [Archgate.Checks, Archgate.Core] }";
            var result = await RunAsync(Bin, allow, $"{{ log: \"{log}\", pattern: 'module (?<module>[\\w.]+) initialized' }}");
            var noLog = await RunAsync(Bin, allow, "{ log: /nonexistent/startup.log, pattern: 'module (?<module>\\S+) up' }");

            var order = Assert.Single(result.Findings, f => f.Rule == "AG4044");
            Assert.Equal("module Archgate.Checks initialized before Archgate.Core, which it depends on", order.Message);
            Assert.Equal("initialization order: Archgate.Checks, Archgate.Core", order.Evidence);
            Assert.Equal("Archgate.Checks.Tests", Assert.Single(result.Findings, f => f.Rule == "AG4045").Location);
            Assert.Equal(CheckStatus.Fail, result.Status);
            Assert.Equal("AG4046", Assert.Single(noLog.Findings).Rule);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public void The_manifest_names_only_declared_modules_and_a_pattern_with_a_module_group()
    {
        var errors = Archgate.Manifest.ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - name: mono
                kind: service
                url: http://127.0.0.1:1
                modules: { assemblies: bin, allow: { A: [B, Cc] , C: [] }, startup: { pattern: 'started (\S+)' } }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.Contains("components.mono.modules.allow.A", StringComparison.Ordinal) && e.Contains("'B' is not a declared module", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'Cc' is not a declared module", StringComparison.Ordinal) && e.Contains("components.mono.modules.allow.A", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.mono.modules.startup.pattern", StringComparison.Ordinal) && e.Contains("no group named 'module'", StringComparison.Ordinal));
    }

    /// <summary>A minimal library assembly named <paramref name="name"/> whose AssemblyRef table lists <paramref name="references"/>.</summary>
    private static void Emit(string folder, string name, params string[] references)
    {
        var metadata = new MetadataBuilder();
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(Guid.NewGuid()), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0, 0, 0), default, default, default, AssemblyHashAlgorithm.Sha1);
        foreach (var reference in references)
        {
            metadata.AddAssemblyReference(metadata.GetOrAddString(reference), new Version(1, 0, 0, 0), default, default, default, default);
        }

        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var image = new BlobBuilder();
        new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(metadata), new BlobBuilder()).Serialize(image);
        File.WriteAllBytes(Path.Combine(folder, name + ".dll"), image.ToArray());
    }
}
