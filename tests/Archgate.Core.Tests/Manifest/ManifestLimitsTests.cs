using System.Diagnostics;
using Archgate.Manifest;

namespace Archgate.Core.Tests.Manifest;

/// <summary>Hostile manifests end as positioned errors, within the documented limits, never as a crash.</summary>
public sealed class ManifestLimitsTests : IDisposable
{
    private const string Base = """
        version: 1
        system: { name: s }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:1" }

        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archgate-limits-" + Guid.NewGuid().ToString("N"));

    public ManifestLimitsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ManifestLoadResult Parse(string text, IReadOnlyDictionary<string, string>? environment = null) =>
        ManifestLoader.Parse(text, "archgate.yaml", Path.Combine(_folder, "archgate.yaml"), "sha", n => environment?.GetValueOrDefault(n));

    private static ManifestError Single(ManifestLoadResult result)
    {
        Assert.False(result.Succeeded);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_an_error_where_it_goes_too_deep()
    {
        var error = Single(Parse(Base + "load: " + new string('[', 100_000) + "\n"));

        Assert.Equal(5, error.Line);
        Assert.Equal(6 + ManifestLimits.MaxDepth, error.Column);
        Assert.Contains($"nested deeper than {ManifestLimits.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_read()
    {
        // Depth counts the root mapping and the request's mapping: the json value may use the rest.
        var inner = ManifestLimits.MaxDepth - 5;
        var result = Parse(Base + "load:\n  requests:\n    - request: POST /x\n      json: " + new string('[', inner) + new string(']', inner) + "\n  stages: [{ users: 1, duration: 1s }]\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
    }

    [Fact]
    public void An_alias_bomb_in_a_free_form_value_is_stopped_at_the_node_limit()
    {
        var bomb = """
            x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
            x1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
            x2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
            x3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
            x4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
            x5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
            x6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
            x7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
            x8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
            """;
        var text = Base + "load:\n  requests:\n    - request: POST /x\n      json:\n" + string.Join("\n", bomb.Split('\n').Select(l => "        " + l)) + "\n  stages: [{ users: 1, duration: 1s }]\n";

        var error = Single(Parse(text));

        Assert.Contains($"more than {ManifestLimits.MaxNodes:N0} values once aliases are expanded", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, error.Line);
    }

    [Fact]
    public void An_alias_inside_its_own_anchor_is_an_error()
    {
        var error = Single(Parse(Base + "load:\n  requests:\n    - request: POST /x\n      json: &a { self: *a }\n  stages: [{ users: 1, duration: 1s }]\n"));

        Assert.Contains("alias '*a' refers to the value that contains it", error.Message, StringComparison.Ordinal);
        Assert.Equal((8, 24), (error.Line, error.Column));
    }

    [Fact]
    public void A_few_aliases_are_still_fine()
    {
        var result = Parse(Base + "load:\n  requests:\n    - request: POST /x\n      json: &a { k: [1, 2] }\n    - { request: POST /y, json: *a }\n  stages: [{ users: 1, duration: 1s }]\n");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
    }

    [Fact]
    public void A_value_longer_than_the_limit_is_an_error_and_is_not_echoed()
    {
        var error = Single(Parse(Base.Replace("name: s", "name: \"" + new string('x', 10_000_000) + "\"", StringComparison.Ordinal)));

        Assert.Equal((2, 17), (error.Line, error.Column));
        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
        Assert.True(error.ToString().Length < 500);
    }

    [Theory]
    [InlineData("\\e[2J")]
    [InlineData("\\0")]
    [InlineData("\\x07")]
    [InlineData("\\n")]
    public void A_control_character_in_a_name_is_an_error(string escape)
    {
        var error = Single(Parse(Base.Replace("name: api", $"name: \"api{escape}\"", StringComparison.Ordinal)));

        Assert.Equal((4, 13), (error.Line, error.Column));
        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.ToString(), c => char.IsControl(c) && c != '\n' && c != '\r');
    }

    [Fact]
    public void A_control_character_from_the_environment_is_an_error_naming_the_variable()
    {
        var error = Single(Parse(Base.Replace("name: s", "name: \"${NAME}\"", StringComparison.Ordinal), new Dictionary<string, string> { ["NAME"] = "evil\u001b[2J" }));

        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
        Assert.Contains("NAME", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_nul_in_a_path_is_a_positioned_error()
    {
        var error = Single(Parse(Base.Replace("kind: service", "kind: service, openapi: \"a\\0b.yaml\"", StringComparison.Ordinal)));

        Assert.Equal(4, error.Line);
        Assert.Contains("control character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_that_overflows_is_a_positioned_error()
    {
        var error = Single(Parse(Base + "recovery: { retries: 3, backoff: 99999999999999h }\n"));

        Assert.Equal((5, 34), (error.Line, error.Column));
        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("slo: { api: [1, 2\n")]
    [InlineData("slo: { api: { p95: 200ms\n")]
    [InlineData("slo: {")]
    [InlineData("slo: [")]
    [InlineData("slo: [{ a: [ {")]
    [InlineData("slo: { a: \"unterminated")]
    public void An_unclosed_flow_collection_is_a_positioned_yaml_error(string tail)
    {
        var result = Parse(Base + tail);

        Assert.False(result.Succeeded);
        Assert.All(result.Errors, e => Assert.True(e.Line >= 5, string.Join("\n", result.Errors)));
        Assert.Contains("invalid YAML", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_to_no_anchor_is_an_error_at_the_alias()
    {
        var error = Single(Parse(Base + "slo: *nowhere\n"));

        Assert.Equal((5, 6), (error.Line, error.Column));
        Assert.Contains("refers to no anchor '&nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_yaml_document_is_an_error_at_its_start()
    {
        var error = Single(Parse(Base + "---\nversion: 2\n"));

        Assert.Equal((5, 1), (error.Line, error.Column));
        Assert.Contains("second YAML document", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_document_may_start_with_dashes() =>
        Assert.True(Parse("---\n" + Base + "...\n").Succeeded);

    [Theory]
    [InlineData("!!python/object s")]
    [InlineData("!custom s")]
    [InlineData("!!binary czE=")]
    public void A_yaml_tag_is_an_error(string value)
    {
        var error = Single(Parse(Base.Replace("name: s", "name: " + value, StringComparison.Ordinal)));

        Assert.Equal((2, 17), (error.Line, error.Column));
        Assert.Contains("YAML tags are not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plain_string_tag_is_accepted() =>
        Assert.Equal("s", TestSystemsLoad(Base.Replace("name: s", "name: !!str s", StringComparison.Ordinal)).Model!.Name);

    private ManifestLoadResult TestSystemsLoad(string text)
    {
        var result = Parse(text);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result;
    }

    [Theory]
    [InlineData("openapi: \"http://127.0.0.1:9/openapi.yaml\"")]
    [InlineData("openapi: { path: \"https://example.test/openapi.yaml\" }")]
    public void An_openapi_url_is_a_positioned_error_saying_urls_are_not_supported(string openapi)
    {
        var error = Single(Parse(Base.Replace("kind: service", "kind: service, " + openapi, StringComparison.Ordinal)));

        Assert.Equal(4, error.Line);
        Assert.Contains("URLs are not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pact_url_is_a_positioned_error() =>
        Assert.Contains("URLs are not supported", Single(Parse(Base + "contracts: { pacts: [\"http://127.0.0.1:9/p.json\"] }\n")).Message, StringComparison.Ordinal);

    [Fact]
    public void A_type_error_in_an_interpolated_value_names_the_variable_never_its_value()
    {
        var error = Single(Parse(Base + "recovery: { retries: \"${RETRIES}\" }\n", new Dictionary<string, string> { ["RETRIES"] = "ApiKey_s3cr3t" }));

        Assert.Contains("${RETRIES}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Any_error_about_an_interpolated_value_hides_the_value()
    {
        var result = Parse(Base.Replace("kind: service", "kind: \"${KIND}\"", StringComparison.Ordinal), new Dictionary<string, string> { ["KIND"] = "tok_s3cr3t_value" });

        Assert.False(result.Succeeded);
        Assert.DoesNotContain(result.Errors, e => e.ToString().Contains("s3cr3t", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.ToString().Contains("${KIND}", StringComparison.Ordinal));
    }

    [Fact]
    public void Dev_zero_as_the_manifest_is_refused_at_once()
    {
        var error = Single(LoadWithin("/dev/zero"));

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_as_the_manifest_is_refused_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo
        }

        var fifo = Path.Combine(_folder, "archgate.yaml");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        var error = Single(LoadWithin(fifo));

        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_over_the_size_limit_is_refused()
    {
        var path = Path.Combine(_folder, "big.yaml");
        using (var file = File.Create(path))
        {
            file.SetLength(ManifestLimits.MaxManifestBytes + 1);
        }

        var error = Single(LoadWithin(path));

        Assert.Contains("larger than 16 MB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_as_an_openapi_path_is_a_positioned_error()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // FIFOs are made with mkfifo
        }

        using (var mkfifo = Process.Start("mkfifo", Path.Combine(_folder, "openapi.yaml")))
        {
            mkfifo.WaitForExit();
        }

        var error = Single(Parse(Base.Replace("kind: service", "kind: service, openapi: openapi.yaml", StringComparison.Ordinal)));

        Assert.Equal(4, error.Line);
        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Loads on another thread, so a blocking open fails the test instead of hanging it.</summary>
    private static ManifestLoadResult LoadWithin(string path)
    {
        var load = Task.Run(() => ManifestLoader.Load(path, _ => null));
        Assert.True(load.Wait(TimeSpan.FromSeconds(30)), $"loading {path} blocked");
        return load.Result;
    }
}
