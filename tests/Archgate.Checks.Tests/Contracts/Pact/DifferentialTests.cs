using System.Text.Json.Nodes;
using Archgate.Model;
using Archgate.Tests.Pact;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>
/// Differential test against the Pact Foundation's reference verifier: for every pact of the corpus
/// (Differential/*.json: a pact plus the provider's canned answers), Archgate's verdict per interaction
/// equals the reference verifier's, against the same real provider on 127.0.0.1.
/// </summary>
public sealed class DifferentialTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Contracts", "Pact", "Differential");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Corpus, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Archgate_agrees_with_the_reference_verifier_on_every_interaction(string caseName)
    {
        var (executable, skip) = await ReferencePactVerifier.EnsureInstalledAsync();
        Skip.If(executable is null, skip);

        var root = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Corpus, caseName)))!;
        var pactFile = Path.Combine(Path.GetTempPath(), $"archgate-differential-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(pactFile, root["pact"]!.ToJsonString());
        try
        {
            using var server = Serve(root["provider"]!.AsObject());
            var ours = (await PactTestKit.VerifyAsync(root["pact"]!.ToJsonString(), server.Url,
                    new PactSettings { StateChange = new PactStateChange("/_pact/state") }))
                .ToDictionary(r => r.Interaction.Description, r => r.Passed);
            var reference = await ReferencePactVerifier.VerifyAsync(executable!, pactFile, server.Port, $"{server.Url}_pact/state");

            Assert.Equal(ours.Count, reference.Interactions.Count);
            var disagreements = ours
                .Where(o => !reference.Interactions.TryGetValue(o.Key, out var theirs) || theirs != o.Value)
                .Select(o => $"'{o.Key}': Archgate says {(o.Value ? "pass" : "fail")}, the reference verifier {(reference.Interactions.TryGetValue(o.Key, out var r) ? r ? "pass" : "fail" : "nothing")}")
                .ToList();
            Assert.True(disagreements.Count == 0, string.Join("\n", disagreements) + "\n\nreference output:\n" + reference.Output);
            // The corpus proves something only if each file has interactions that pass and interactions that fail.
            Assert.Contains(true, ours.Values);
            Assert.Contains(false, ours.Values);
        }
        finally
        {
            File.Delete(pactFile);
        }
    }

    /// <summary>Answers "METHOD /path" with the case's canned answer (JSON, text, or bytes given as base64); state changes with 200.</summary>
    private static PactProviderServer Serve(JsonObject answers) => new(request =>
    {
        var path = request.PathAndQuery.Split('?')[0];
        if (path == "/_pact/state")
        {
            return new ProviderAnswer(200, "{}");
        }

        if (answers[$"{request.Method} {path}"] is not JsonObject answer)
        {
            return new ProviderAnswer(404, """{"title":"no canned answer"}""");
        }

        var headers = (answer["headers"] as JsonObject)?.ToDictionary(h => h.Key, h => h.Value!.GetValue<string>());
        if (answer["base64"] is { } base64)
        {
            return new ProviderAnswer(answer["status"]!.GetValue<int>(), string.Empty, answer["contentType"]!.GetValue<string>(), headers,
                Convert.FromBase64String(base64.GetValue<string>()));
        }

        return answer["text"] is { } text
            ? new ProviderAnswer(answer["status"]!.GetValue<int>(), text.GetValue<string>(), answer["contentType"]?.GetValue<string>() ?? "text/plain", headers)
            : new ProviderAnswer(answer["status"]!.GetValue<int>(), answer["body"]?.ToJsonString() ?? string.Empty,
                answer["contentType"]?.GetValue<string>() ?? "application/json; charset=utf-8", headers);
    });
}
