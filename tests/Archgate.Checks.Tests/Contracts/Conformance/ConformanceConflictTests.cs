using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// A service that keeps a field unique answers 409 to the contract's example once it exists (an earlier request, check or
/// run created it). That conflict says nothing of the input a probe tests: an invalid probe refused with 409 was counted
/// as refused, and a service that accepted the invalid input went unseen. A 409 is sent again once with unique free text.
/// </summary>
public sealed class ConformanceConflictTests
{
    private const string Users = """
        openapi: 3.0.3
        info: { title: users, version: "1" }
        paths:
          /users:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [email, name]
                      properties:
                        email: { type: string, format: email }
                        name: { type: string, maxLength: 40 }
                    example: { email: ann@example.com, name: Ann }
              responses:
                '201': { description: created, content: { application/json: { schema: { type: object, required: [id], properties: { id: { type: integer } } } } } }
                '400': { description: invalid }
                '409': { description: the e-mail is taken }
        """;

    /// <summary>Users with unique e-mails, the example's taken already; it checks the e-mail, and takes a user without a name unless <paramref name="checksName"/>.</summary>
    private static Func<Received, Reply> Service(bool checksName)
    {
        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "ann@example.com" };
        return request =>
        {
            if ((request.Method, request.PathAndQuery) != ("POST", "/users"))
            {
                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "POST" });
            }

            using var body = JsonDocument.Parse(request.Body);
            var root = body.RootElement;
            if (!root.TryGetProperty("email", out var email) || email.ValueKind != JsonValueKind.String || !email.GetString()!.Contains('@', StringComparison.Ordinal))
            {
                return Problem(400, "email is required");
            }

            lock (emails)
            {
                if (!emails.Add(email.GetString()!))
                {
                    return Problem(409, "this e-mail is taken");
                }
            }

            var named = root.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString()!.Length <= 40;
            return checksName && !named ? Problem(400, "name is required") : new Reply(201, """{"id":1}""");
        };
    }

    private static string? Field(Received request, string name) =>
        System.Text.Json.Nodes.JsonNode.Parse(request.Body)?[name] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    [Fact]
    public async Task An_invalid_input_refused_only_for_a_taken_email_is_sent_again_and_its_acceptance_found()
    {
        using var server = new ScriptedHttpServer(Service(checksName: false));

        var result = await RunCheckAsync(Users, server);

        var accepted = result.Findings.Where(f => f.Rule == "AG2015").Select(f => f.Message).ToList();
        Assert.True(accepted.Any(m => m.Contains("required body property 'name' left out", StringComparison.Ordinal)), Dump(result, server));
        Assert.Contains(server.Requests, r => Field(r, "email")?.StartsWith("ann+", StringComparison.Ordinal) == true && Field(r, "name") is null);
    }

    [Fact]
    public async Task A_service_that_checks_its_input_passes_although_the_examples_email_is_taken()
    {
        using var server = new ScriptedHttpServer(Service(checksName: true));

        var result = await RunCheckAsync(Users, server);

        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG2015");
        // The valid example went again with a unique e-mail and was created.
        Assert.Contains(server.Requests, r => Field(r, "email")?.StartsWith("ann+", StringComparison.Ordinal) == true && Field(r, "name")?.StartsWith("Ann-", StringComparison.Ordinal) == true);
    }
}
