using Archgate.Cli;

namespace Archgate.EndToEnd.Tests.Diff;

/// <summary>Runs <c>archgate diff</c> through the real command tree and checks what CI reads: exit code and report file.</summary>
public sealed class DiffCommandTests : IDisposable
{
    private const string Old = """
        openapi: 3.0.3
        info: {title: orders, version: '1'}
        paths:
          /orders/{id}:
            get:
              operationId: getOrder
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, total]
                        properties:
                          id: {type: string}
                          total: {type: number}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-diff-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_removed_response_property_fails_the_gate_with_exit_code_4_and_is_in_the_json_report()
    {
        var oldPath = Write("old.yaml", Old);
        var newPath = Write("new.yaml", Old.Replace("required: [id, total]", "required: [id]", StringComparison.Ordinal)
            .Replace("total: {type: number}", "currency: {type: string}", StringComparison.Ordinal));
        var report = Path.Combine(_folder, "diff.json");

        var exit = await ArchgateApp.RunAsync(["diff", oldPath, newPath, "--fail-on", "ERR", "--format", "json", "-o", report]);

        Assert.Equal(ExitCodes.NoGo, exit);
        var json = await File.ReadAllTextAsync(report);
        Assert.Contains("\"id\": \"response-property-removed\"", json, StringComparison.Ordinal);
        Assert.Contains("\"location\": \"response 200 application/json $.total\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_below_the_gate_level_exits_0()
    {
        var oldPath = Write("old.yaml", Old);
        var newPath = Write("new.yaml", Old.Replace("operationId: getOrder", "operationId: fetchOrder", StringComparison.Ordinal));
        var report = Path.Combine(_folder, "diff.md");

        Assert.Equal(ExitCodes.Go, await ArchgateApp.RunAsync(["diff", oldPath, newPath, "-o", report]));
        Assert.Equal(ExitCodes.NoGo, await ArchgateApp.RunAsync(["diff", oldPath, newPath, "--fail-on", "WARN", "-o", report]));
        Assert.Contains("| WARN | api-operation-id-changed |", await File.ReadAllTextAsync(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_contract_exits_2()
    {
        var oldPath = Write("old.yaml", Old);
        var broken = Write("broken.yaml", "openapi: 3.0.3\npaths: [\n");

        Assert.Equal(ExitCodes.InvalidManifest, await ArchgateApp.RunAsync(["diff", oldPath, broken, "-o", Path.Combine(_folder, "out.md")]));
    }

    [Fact]
    public async Task A_contract_with_validity_problems_is_diffed_and_its_problems_are_warnings_of_the_report()
    {
        var sloppy = Old.Replace("      operationId: getOrder\n", "      operationId: getOrder\n      colour: blue\n", StringComparison.Ordinal)
            .Replace("description: ok", "x-note: no description", StringComparison.Ordinal);
        var oldPath = Write("old.yaml", sloppy);
        var newPath = Write("new.yaml", sloppy.Replace("required: [id, total]", "required: [id]", StringComparison.Ordinal));
        var report = Path.Combine(_folder, "diff.json");

        var exit = await ArchgateApp.RunAsync(["diff", oldPath, newPath, "--format", "json", "-o", report]);

        Assert.Equal(ExitCodes.NoGo, exit);
        var json = await File.ReadAllTextAsync(report);
        Assert.Contains("\"id\": \"response-property-became-optional\"", json, StringComparison.Ordinal);
        Assert.Contains("\"oasdiff\": \"response-property-became-optional\"", json, StringComparison.Ordinal);
        Assert.Contains("'colour' is not a valid property", json, StringComparison.Ordinal);
        Assert.Contains("'description' in 'response' object is REQUIRED", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_compares_every_pair_in_one_process_writes_one_report_each_and_exits_with_the_worst()
    {
        Write("v1.yaml", Old);
        Write("v2.yaml", Old.Replace("operationId: getOrder", "operationId: fetchOrder", StringComparison.Ordinal));
        Write("v3.yaml", Old.Replace("total: {type: number}", "total: {type: string}", StringComparison.Ordinal));
        var pairs = Write("pairs.txt", "# old new\nv1.yaml v2.yaml\n\nv1.yaml v3.yaml\n");
        var reports = Path.Combine(_folder, "reports");

        var exit = await ArchgateApp.RunAsync(["diff", "--batch", pairs, "--format", "json", "-o", reports]);

        Assert.Equal(ExitCodes.NoGo, exit);
        Assert.Equal(["001.json", "002.json"], Directory.GetFiles(reports).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("api-operation-id-changed", await File.ReadAllTextAsync(Path.Combine(reports, "001.json")), StringComparison.Ordinal);
        Assert.Contains("response-property-type-changed", await File.ReadAllTextAsync(Path.Combine(reports, "002.json")), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Go, await ArchgateApp.RunAsync(["diff", "--batch", Write("one.txt", "v1.yaml v2.yaml\n"), "-o", reports]));
    }

    [Fact]
    public async Task A_batch_with_an_unparseable_contract_exits_2_after_comparing_the_others()
    {
        Write("v1.yaml", Old);
        Write("broken.yaml", "openapi: 3.0.3\npaths: [\n");
        var pairs = Write("pairs.txt", "v1.yaml broken.yaml\nv1.yaml v1.yaml\n");
        var reports = Path.Combine(_folder, "reports");

        Assert.Equal(ExitCodes.InvalidManifest, await ArchgateApp.RunAsync(["diff", "--batch", pairs, "-o", reports]));
        Assert.Equal(["002.md"], Directory.GetFiles(reports).Select(Path.GetFileName));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
