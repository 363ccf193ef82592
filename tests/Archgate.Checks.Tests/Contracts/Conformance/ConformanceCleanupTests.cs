using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// The conformance check creates one object per valid create request (the example, the schema's minimum and maximum
/// values). Left behind, the example's object holds a combination the service keeps unique, and the later checks' creates
/// of the same example met 409. Every object the check created is deleted at its end.
/// </summary>
public sealed class ConformanceCleanupTests
{
    private const string Appointments = """
        openapi: 3.0.3
        info: { title: appointments, version: "1" }
        paths:
          /appointments:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [doctorId, slot]
                      properties:
                        doctorId: { type: integer, minimum: 1, maximum: 9 }
                        slot: { type: string, minLength: 1, maxLength: 20 }
                    example: { doctorId: 3, slot: "2026-01-05T09:00" }
              responses:
                '201': { description: created, content: { application/json: { schema: { type: object, required: [id], properties: { id: { type: integer } } } } } }
                '400': { description: invalid }
                '409': { description: the slot is taken }
          /appointments/{id}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer } }
            delete:
              responses:
                '204': { description: deleted }
                '404': { description: not found }
        """;

    /// <summary>Appointments kept unique per (doctorId, slot); every request is recorded by the server.</summary>
    /// <param name="validates">Whether it refuses invalid input; else it stores whatever it is sent.</param>
    private sealed class Service(bool validates = true)
    {
        private readonly Dictionary<int, string> _held = [];
        private int _next;

        /// <summary>How many appointments it created.</summary>
        public int Created => _next;

        public Reply Answer(Received request)
        {
            lock (_held)
            {
                if (request.Method == "POST" && request.PathAndQuery == "/appointments")
                {
                    return Create(request.Body);
                }

                if (request.Method == "DELETE" && request.PathAndQuery.StartsWith("/appointments/", StringComparison.Ordinal))
                {
                    return int.TryParse(request.PathAndQuery["/appointments/".Length..], out var id) && _held.Remove(id) ? new Reply(204, null) : new Reply(404, null);
                }

                return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = request.PathAndQuery == "/appointments" ? "POST" : "DELETE" });
            }
        }

        public Reply Create(string text)
        {
            lock (_held)
            {
                using var body = JsonDocument.Parse(text);
                var root = body.RootElement;
                if (!validates)
                {
                    var raw = $"{(root.TryGetProperty("doctorId", out var anyDoctor) ? anyDoctor.GetRawText() : "")} {(root.TryGetProperty("slot", out var anySlot) ? anySlot.GetRawText() : "")}";
                    return Hold(raw);
                }

                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("doctorId", out var doctor) || doctor.ValueKind != JsonValueKind.Number
                    || !doctor.TryGetInt32(out var d) || d is < 1 or > 9 || !root.TryGetProperty("slot", out var slot) || slot.ValueKind != JsonValueKind.String
                    || slot.GetString()!.Length is < 1 or > 20)
                {
                    return new Reply(400, null);
                }

                return Hold($"{d} {slot.GetString()}");
            }
        }

        private Reply Hold(string key)
        {
            lock (_held)
            {
                if (_held.ContainsValue(key))
                {
                    return new Reply(409, null);
                }

                _held[++_next] = key;
                return new Reply(201, $$"""{"id":{{_next}}}""", Headers: new Dictionary<string, string> { ["Location"] = $"/appointments/{_next}" });
            }
        }
    }

    [Fact]
    public async Task Every_object_the_check_created_is_deleted_so_the_examples_create_is_accepted_again()
    {
        var service = new Service();
        using var server = new ScriptedHttpServer(service.Answer);

        var result = await RunCheckAsync(Appointments, server);

        Assert.True(service.Created >= 2, Dump(result, server)); // the example, and the schema's boundary values
        AssertAllDeleted(service, server, result);
        Assert.Equal(201, service.Create("""{"doctorId":3,"slot":"2026-01-05T09:00"}""").Status);
        Assert.DoesNotContain(result.Findings, f => f.Severity >= Archgate.Protocol.Severity.Medium);
    }

    [Fact]
    public async Task What_an_invalid_input_wrongly_accepted_created_is_deleted_too()
    {
        var service = new Service(validates: false);
        using var server = new ScriptedHttpServer(service.Answer);

        var result = await RunCheckAsync(Appointments, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2015");
        AssertAllDeleted(service, server, result);
    }

    private static void AssertAllDeleted(Service service, ScriptedHttpServer server, Archgate.Protocol.CheckResult result)
    {
        var deleted = server.Requests.Where(r => r.Method == "DELETE").Select(r => r.PathAndQuery).ToHashSet();
        for (var id = 1; id <= service.Created; id++)
        {
            Assert.True(deleted.Contains($"/appointments/{id}"), $"/appointments/{id} was not deleted\n" + Dump(result, server));
        }
    }
}
