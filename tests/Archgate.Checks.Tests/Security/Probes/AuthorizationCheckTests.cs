using System.Text.Json;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class AuthorizationCheckTests
{
    private const string AdminOnly = "  adminOnly: [\"/admin/**\"]";

    private static Task<CheckResult> RunAsync(ProbeTestApi api, string security = AdminOnly) =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), security);

    /// <summary>Orders only an admin may place (<see cref="Flaws.AdminCreates"/>), made admin-only by the manifest.</summary>
    private const string AdminPlacesOrders = "  adminOnly: [\"/admin/**\", \"POST /orders\"]";

    /// <summary>The catalogue, where only an admin may add an item (<c>x-roles</c>): anyone reads it, only its owner changes or deletes it.</summary>
    private static readonly string AdminCatalogue = ProbeTestApi.CatalogueContract.Replace(
        "  /items:\n    post:\n", "  /items:\n    post:\n      x-roles: [admin]\n", StringComparison.Ordinal);

    private static Task<CheckResult> CatalogueAsync(ProbeTestApi api, string protectedPaths = ProbeTestApi.ProtectedPaths) =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: ProbeTestApi.CatalogueContract, protectedPaths: protectedPaths);

    [Fact]
    public async Task A_service_that_keeps_users_apart_passes_and_was_probed_at_every_level()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage);
        Assert.Contains("function level: 1 admin-only operations called as ann, 1 refused", coverage.Message, StringComparison.Ordinal);
        Assert.Contains("object level: 1 objects created as ann; as ben 1 reads, 1 changes, 0 actions, 0 deletes, 2 refused", coverage.Message, StringComparison.Ordinal);
        Assert.Contains("property level: 1 create operations", coverage.Message, StringComparison.Ordinal);
        // ben's token read and patched ann's order; ann's sent the injected properties
        Assert.Contains(api.Server.Requests, r => r.Method == "PATCH" && r.PathAndQuery == "/orders/1");
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.Body.Contains("\"userId\":2", StringComparison.Ordinal)); // ben's id, not one that may not exist
    }

    /// <summary>The orders contract with an action, <c>POST /orders/{id}/cancel</c>, and a version twin <c>GET /v2/orders/{id}</c>.</summary>
    private static readonly string OrdersWithCancel = ProbeTestApi.Contract.Replace("  /products:\n", """
          /orders/{id}/cancel:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            post:
              responses:
                '200': { description: cancelled, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }
                '404': { description: none }
                '409': { description: not cancellable }
          /v2/orders/{id}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses: { '200': { description: the order }, '404': { description: none } }
          /products:

        """, StringComparison.Ordinal);

    [Theory]
    [InlineData(Flaws.None, 1)]
    [InlineData(Flaws.ForeignCancel, 0)]
    [InlineData(Flaws.CancelStateFirst, 0)]
    public async Task Another_identity_calling_an_action_on_an_object_is_probed_and_counted_apart_from_reads_and_changes(Flaws flaw, int refusedActions)
    {
        // ex13: "1 reads, changes and deletes as gus" when only a read was sent, and gus could cancel gina's booking unseen.
        using var api = new ProbeTestApi(flaw);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithCancel);

        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/orders/1/cancel");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains($"object level: 1 objects created as ann; as ben 1 reads, 1 changes, 1 actions, 0 deletes, {2 + refusedActions} refused", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: item operations not probed (no object this run created is theirs): GET /v2/orders/{id}", coverage, StringComparison.Ordinal);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        if (flaw == Flaws.ForeignCancel)
        {
            var cancel = Assert.Single(bola);
            Assert.Equal(("POST /orders/{id}/cancel", Severity.Critical), (cancel.Location, cancel.Severity));
            Assert.Equal("'ben' called cancel on /orders/1, which 'ann' created: POST /orders/{id}/cancel answered 200 instead of 403 or 404", cancel.Message);
            Assert.Equal(CheckStatus.Fail, result.Status);
        }
        else
        {
            Assert.Empty(bola);
            Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
            Assert.Equal(flaw == Flaws.CancelStateFirst,
                coverage.Contains("object level not determined (not counted as refused): POST /orders/{id}/cancel as ben (answered 409: the object's state, before or without an ownership check)", StringComparison.Ordinal));

            // The contract has no DELETE on an order: the order made for the probes is cancelled by its owner afterwards.
            Assert.True(coverage.Contains("objects the probes created deleted or undone (2 by POST /orders/{id}/cancel)", StringComparison.Ordinal), coverage); // the BOLA probes' order and the mass assignment one
        }
    }

    /// <summary>
    /// The orders contract with reads beneath an order: its history <c>GET /orders/{id}/events</c>, one event of it
    /// <c>GET /orders/{id}/events/{eventId}</c> (no example of <c>{eventId}</c>), and notes the service does not have.
    /// </summary>
    private static readonly string OrdersWithHistory = ProbeTestApi.Contract.Replace("  /products:\n", """
          /orders/{id}/events:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses: { '200': { description: the order's history }, '404': { description: none } }
          /orders/{id}/events/{eventId}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
              - { name: eventId, in: path, required: true, schema: { type: integer } }
            get:
              responses: { '200': { description: one event }, '404': { description: none } }
          /orders/{id}/notes:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses: { '200': { description: the order's notes }, '404': { description: none } }
          /products:

        """, StringComparison.Ordinal);

    [Theory]
    [InlineData(Flaws.None)]
    [InlineData(Flaws.ForeignHistory)]
    public async Task A_read_beneath_an_object_the_first_identity_created_is_probed_as_the_other_after_its_owners_own_read(Flaws flaw)
    {
        // ex17: ben read ann's GET /parcels/1/events (200 []) while /parcels/1 was 404 to him, and the coverage said
        // "no object this run created is theirs" of the very parcels ann had just created.
        using var api = new ProbeTestApi(flaw);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithHistory);

        // Among the reads, before ben's change: ann's own read, the control, then ben's. (The events are a collection of
        // their own, /orders/{id}/events/{eventId}: both listings are sent later to look for an event ann already has.)
        var reads = api.Server.Requests.TakeWhile(r => r.Method != "PATCH").Count(r => r.Method == "GET" && r.PathAndQuery == "/orders/1/events");
        Assert.Equal(2, reads);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains($"object level: 1 objects created as ann; as ben 2 reads (1 beneath the object), 1 changes, 0 actions, 0 deletes, {(flaw == Flaws.None ? 3 : 2)} refused", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("no object this run created is theirs", coverage, StringComparison.Ordinal);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        if (flaw == Flaws.None)
        {
            Assert.Empty(bola);
            Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
            return;
        }

        var read = Assert.Single(bola);
        Assert.Equal(("GET /orders/{id}/events", Severity.Critical), (read.Location, read.Severity));
        Assert.Equal("'ben' read /orders/1/events, beneath /orders/1, which 'ann' created: GET /orders/{id}/events answered 200 instead of 403 or 404", read.Message);
        Assert.Contains("answered 200: []", read.Evidence, StringComparison.Ordinal);
        Assert.Contains("'ann''s own read of it answered 200; the answer is an empty list, and still a finding", read.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Theory]
    [InlineData(Flaws.Events)]
    [InlineData(Flaws.Events | Flaws.ForeignHistory)]
    public async Task A_further_parameter_beneath_an_object_takes_the_first_id_of_the_owners_listing(Flaws flaws)
    {
        // ex17's follow-up: /parcels/{id}/events/{eventId} was left out for want of an {eventId} the owner's own listing named.
        using var api = new ProbeTestApi(flaws);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithHistory);

        // ann's own read of the event named in her listing, the control, then ben's.
        Assert.Equal(2, api.Server.Requests.Count(r => r.Method == "GET" && r.PathAndQuery == "/orders/1/events/7"));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.DoesNotContain("GET /orders/{id}/events/{eventId}", coverage, StringComparison.Ordinal); // neither left out nor not evaluated
        Assert.Contains("as ben 3 reads (2 beneath the object)", coverage, StringComparison.Ordinal);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).Select(f => f.Message).ToList();
        if (!flaws.HasFlag(Flaws.ForeignHistory))
        {
            Assert.Empty(bola);
            return;
        }

        Assert.Contains("'ben' read /orders/1/events/7, beneath /orders/1, which 'ann' created: GET /orders/{id}/events/{eventId} answered 200 instead of 403 or 404", bola);
        Assert.Equal(2, bola.Count);
    }

    [Fact]
    public async Task A_read_beneath_an_object_that_cannot_be_probed_says_the_true_reason()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithHistory);

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        // A further parameter with no value: left out, and said so, not "no object this run created is theirs".
        Assert.Contains("object level: item operations not probed (a parameter besides the item's own has no value ({eventId}): " +
            "no listing beneath the object named one; give one in openapi.fixtures or an example in the contract): GET /orders/{id}/events/{eventId}", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery.StartsWith("/orders/1/events/", StringComparison.Ordinal));
        // Notes the owner cannot read either (404 to ann): not evaluated, and not sent as ben.
        Assert.Contains("object level: reads beneath an object not evaluated (its owner could not read them either): GET /orders/{id}/notes (ann's own read of /orders/1/notes answered 404)", coverage, StringComparison.Ordinal);
        Assert.Single(api.Server.Requests, r => r.PathAndQuery == "/orders/1/notes");
    }

    /// <summary>
    /// The orders contract with writes beneath an order: its note (<c>GET</c>, <c>PUT</c>, <c>DELETE /orders/{id}/note</c>),
    /// and an address the service does not have (<c>GET</c>, <c>PUT /orders/{id}/address</c>, 404 to its owner too).
    /// </summary>
    private static readonly string OrdersWithNote = ProbeTestApi.Contract.Replace("  /products:\n", """
          /orders/{id}/note:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses: { '200': { description: the note }, '404': { description: none } }
            put:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [note], properties: { note: { type: string } } }
                    example: { note: leave with the neighbour }
              responses: { '200': { description: changed }, '404': { description: none } }
            delete:
              responses: { '204': { description: cleared }, '404': { description: none } }
          /orders/{id}/address:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses: { '200': { description: the address }, '404': { description: none } }
            put:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [street], properties: { street: { type: string } } }
              responses: { '200': { description: changed }, '404': { description: none } }
          /products:

        """, StringComparison.Ordinal);

    [Theory]
    [InlineData(Flaws.None)]
    [InlineData(Flaws.ForeignNote)]
    public async Task A_write_beneath_an_object_the_first_identity_created_is_sent_as_the_other_then_as_its_owner(Flaws flaw)
    {
        // ex17's follow-up: PUT/PATCH/DELETE on {item}/... were named "not probed", so ben could change ann's order unseen.
        using var api = new ProbeTestApi(flaw);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithNote);

        // ben's PUT first, then (refused) ann's own, the control; the note's delete after every change, the order's after that.
        var writes = api.Server.Requests.Where(r => r.Method is "PUT" or "DELETE" && r.PathAndQuery.StartsWith("/orders/1/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.PathAndQuery}").ToList();
        string[] expected = flaw == Flaws.None
            ? ["PUT /orders/1/address", "PUT /orders/1/address", "PUT /orders/1/note", "PUT /orders/1/note", "DELETE /orders/1/note", "DELETE /orders/1/note"]
            : ["PUT /orders/1/address", "PUT /orders/1/address", "PUT /orders/1/note", "DELETE /orders/1/note"];
        Assert.True(expected.SequenceEqual(writes), $"{string.Join(", ", writes)}\n{ProbeKit.Dump(result, api)}");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains($"object level: 1 objects created as ann; as ben 2 reads (1 beneath the object), 3 changes (2 beneath the object), 0 actions, 1 deletes (1 beneath the object), {(flaw == Flaws.None ? 5 : 3)} refused", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: reads beneath an object not evaluated (its owner could not read them either): GET /orders/{id}/address (ann's own read of /orders/1/address answered 404)", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: writes beneath an object not evaluated (refused to its owner too): PUT /orders/{id}/address (ann's own PUT of /orders/1/address answered 404, so ben's 404 proves nothing)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("not probed", coverage, StringComparison.Ordinal);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        if (flaw == Flaws.None)
        {
            Assert.Empty(bola);
            Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
            return;
        }

        Assert.Equal(
            [
                ("PUT /orders/{id}/note", "'ben' changed /orders/1/note, beneath /orders/1, which 'ann' created: PUT /orders/{id}/note answered 200 instead of 403 or 404"),
                ("DELETE /orders/{id}/note", "'ben' deleted /orders/1/note, beneath /orders/1, which 'ann' created: DELETE /orders/{id}/note answered 204 instead of 403 or 404"),
            ],
            bola.Select(f => (f.Location, f.Message)));
        Assert.All(bola, f => Assert.Equal(Severity.Critical, f.Severity));
        Assert.Contains("leave with the neighbour", bola[0].Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    /// <summary>
    /// The orders contract with notes beneath an order: <c>POST /orders/{id}/notes</c> (the example's order, 99, is not
    /// the run's), <c>GET</c> and <c>DELETE /orders/{id}/notes/{noteId}</c>; and an admin-only status change.
    /// </summary>
    private static readonly string OrdersWithNotes = ProbeTestApi.Contract.Replace("  /products:\n", """
          /orders/{id}/notes:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 }, example: 99 }
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [text], properties: { text: { type: string } } }
                    example: { text: ring twice }
              responses:
                '201': { description: added, content: { application/json: { schema: { type: object, properties: { id: { type: integer } } } } } }
                '404': { description: none }
          /orders/{id}/notes/{noteId}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 99 }
              - { name: noteId, in: path, required: true, schema: { type: integer } }
            get:
              responses: { '200': { description: the note }, '404': { description: none } }
            delete:
              responses: { '204': { description: removed }, '404': { description: none } }
          /orders/{id}/status:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            patch:
              x-roles: [admin]
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [status], properties: { status: { type: string, enum: [placed, shipped] } } }
              responses: { '200': { description: changed }, '403': { description: not an admin }, '404': { description: none } }
          /products:

        """, StringComparison.Ordinal);

    [Theory]
    [InlineData(Flaws.None)]
    [InlineData(Flaws.ForeignNote)]
    public async Task A_create_beneath_an_object_goes_beneath_one_its_identity_created_and_is_no_action(Flaws flaw)
    {
        // ex17 (s32): ann's note was created beneath /parcels/1, the example's parcel (ben's in one seed), so ben's delete of
        // it was never tried; POST .../notes and an admin-only status change were counted as actions ben was refused.
        using var api = new ProbeTestApi(flaw);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithNotes);

        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery.StartsWith("/orders/99", StringComparison.Ordinal));
        // The note goes beneath an order ann created in this run (its own probe's control added one beneath another).
        Assert.True(api.Server.Requests.Any(r => r.Method == "DELETE" && System.Text.RegularExpressions.Regex.IsMatch(r.PathAndQuery, @"^/orders/[12]/notes/\d+$")), ProbeKit.Dump(result, api));
        Assert.Contains("as ben 2 reads, 2 changes (1 beneath the object), 0 actions, 1 deletes", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains(", 0 actions, ", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: not sent where the identity holds none of the roles that may call them (its refusal would be the role's; function level judges them): PATCH /orders/{id}/status as ben", coverage, StringComparison.Ordinal);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        if (flaw == Flaws.None)
        {
            Assert.True(bola.Count == 0 && result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
            return;
        }

        var delete = Assert.Single(bola);
        Assert.Matches(@"^'ben' deleted /orders/[12]/notes/\d+, which 'ann' created: DELETE /orders/\{id\}/notes/\{noteId\} answered 204 instead of 403 or 404$", delete.Message);
    }

    [Fact]
    public async Task When_no_object_can_be_created_object_level_is_reported_as_not_tried_not_passed()
    {
        using var api = new ProbeTestApi(Flaws.NoCreate);
        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var notTried = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Severity == Severity.Medium);
        Assert.StartsWith("no object could be created as ann (POST /orders as ann answered 409: nothing to probe with)", notTried.Message, StringComparison.Ordinal);
        Assert.Contains("(BOLA) was not tried", notTried.Message, StringComparison.Ordinal);
        Assert.Equal(2, api.Server.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/orders")); // the example, then once more with unique values
    }

    /// <summary>The orders contract with <c>GET /orders</c>, the caller's orders (<see cref="Flaws.PlacedOrders"/>).</summary>
    private static readonly string OrdersWithList = ProbeTestApi.Contract.Replace("  /orders:\n    post:\n", """
          /orders:
            get:
              responses: { '200': { description: the caller's orders }, '401': { description: no } }
            post:

        """, StringComparison.Ordinal);

    private static Task<CheckResult> PlacedAsync(ProbeTestApi api, string fixtures = "") =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: OrdersWithList, fixtures: fixtures);

    [Fact]
    public async Task When_no_object_can_be_created_an_object_found_in_the_owners_listing_is_read_as_the_other_identity()
    {
        // ex14: alice could not book (409), yet had reservations 1, 3 and 4, and bob read and cancelled them.
        using var api = new ProbeTestApi(Flaws.NoCreate | Flaws.PlacedOrders | Flaws.Bola);
        Assert.NotEqual(ProbeTestApi.Contract, OrdersWithList);
        var result = await PlacedAsync(api);

        Assert.True(result.Status == CheckStatus.Fail, ProbeKit.Dump(result, api));
        var read = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal(("GET /orders/{id}", Severity.Critical), (read.Location, read.Severity));
        Assert.Equal("'ben' read /orders/1, which 'ann' already has (found in ann's listing of /orders and not in ben's; the run did not create it, " +
            "so only reads were tried): GET /orders/{id} answered 200 instead of 403 or 404", read.Message);
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("was not tried", StringComparison.Ordinal));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("object level: 1 objects ann already has (/orders/1, found in ann's listing of /orders and not in ben's); as ben reads only (the run did not create them): 1 reads, 0 refused", coverage, StringComparison.Ordinal);
        // Reads only on what the run did not create: no change, action or delete reached an order that was there before.
        Assert.DoesNotContain(api.Server.Requests, r => r.Method is not ("GET" or "HEAD") && r.PathAndQuery.StartsWith("/orders/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_owned_object_the_other_identity_cannot_read_is_counted_refused_and_object_level_was_tried()
    {
        using var api = new ProbeTestApi(Flaws.NoCreate | Flaws.PlacedOrders);
        var result = await PlacedAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("object level: 1 objects ann already has (/orders/1, found in ann's listing of /orders and not in ben's); as ben reads only (the run did not create them): 1 reads, 1 refused", coverage, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery == "/orders/1");
    }

    [Fact]
    public async Task A_fixture_the_owner_reads_and_the_other_identitys_listing_lacks_is_probed_a_fixture_of_the_other_is_not()
    {
        // Fixture 3 is ann's (she reads it, ben's listing lacks it); fixture 2 would be ben's own, which ann cannot read.
        foreach (var (fixture, probed) in new[] { ("3", true), ("2", false) })
        {
            using var api = new ProbeTestApi(Flaws.NoCreate | Flaws.PlacedOrders | Flaws.Bola);
            var result = await PlacedAsync(api, $"{{ \"/orders/{{id}}\": {{ id: {fixture} }} }}");

            var reads = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).Select(f => f.Message).ToList();
            Assert.Contains(reads, m => m.StartsWith("'ben' read /orders/1, which 'ann' already has (found in", StringComparison.Ordinal));
            Assert.Equal(probed, reads.Contains("'ben' read /orders/3, which 'ann' already has (a fixture of /orders/{id} (openapi.fixtures) ann reads and ben's listing of /orders lacks; " +
                "the run did not create it, so only reads were tried): GET /orders/{id} answered 200 instead of 403 or 404"));
            Assert.Equal(probed ? 2 : 1, reads.Count);
        }
    }

    [Fact]
    public async Task A_listing_that_is_the_same_for_both_identities_proves_no_owner_and_BOLA_stays_not_tried()
    {
        // No order placed before the run and none can be placed: both listings are empty, which proves nothing.
        using var api = new ProbeTestApi(Flaws.NoCreate | Flaws.Bola);
        var result = await PlacedAsync(api);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        var notTried = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Severity == Severity.Medium);
        Assert.Contains("(BOLA) was not tried", notTried.Message, StringComparison.Ordinal);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Severity == Severity.Info).Message;
        Assert.Contains("object level: no object found that ann has and ben has not: GET /orders (the same listing for both)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery.StartsWith("/orders/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_users_order_readable_is_critical_BOLA_with_evidence()
    {
        using var api = new ProbeTestApi(Flaws.Bola);
        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var findings = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        Assert.Equal(["GET /orders/{id}", "PATCH /orders/{id}"], findings.Select(f => f.Location).Order());
        var read = findings.Single(f => f.Location == "GET /orders/{id}");
        Assert.Equal(Severity.Critical, read.Severity);
        Assert.Equal("'ben' read /orders/1, which 'ann' created: GET /orders/{id} answered 200 instead of 403 or 404", read.Message);
        Assert.Contains("-H 'Authorization: Bearer ***'", read.Evidence, StringComparison.Ordinal);
        Assert.Contains("answered 200: {\"id\":1,\"userId\":1", read.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(ProbeTestApi.Password, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Django_REST_framework_routes_ending_with_a_slash_are_probed_and_another_users_order_readable_is_BOLA()
    {
        // ex16: /api/orders/{id}/ was not taken for the item of /api/orders/, so object level was "not probed" and BOLA missed.
        using var api = new ProbeTestApi(Flaws.Bola | Flaws.ForeignCancel | Flaws.AppendSlash);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly, contract: ProbeTestApi.SlashContract);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var bola = result.Findings.Where(f => f.Rule == SecurityRules.ObjectLevelAuthorization).ToList();
        Assert.Equal(["GET /orders/{id}/", "PATCH /orders/{id}/", "POST /orders/{id}/cancel/"], bola.Select(f => f.Location).Order());
        Assert.Equal("'ben' read /orders/1/, which 'ann' created: GET /orders/{id}/ answered 200 instead of 403 or 404", bola.Single(f => f.Location == "GET /orders/{id}/").Message);
        Assert.StartsWith("'ben' called cancel on /orders/1/, which 'ann' created", bola.Single(f => f.Location == "POST /orders/{id}/cancel/").Message, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/orders/1/cancel/");
        // Every order path sent in the contract's own shape: none was redirected.
        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery.StartsWith("/orders", StringComparison.Ordinal) && !r.PathAndQuery.Split('?')[0].EndsWith('/'));
        Assert.DoesNotContain("not probed: object", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creates_without_an_item_path_are_named_with_why_when_object_level_is_left_out()
    {
        // ex16: "the contract has no create operation" was said of a contract with POST /api/orders/, whose item it did not see.
        using var api = new ProbeTestApi(Flaws.None);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly,
            contract: ProbeTestApi.Contract.Replace("  /orders/{id}:\n", "  /orders/{id}/detail:\n", StringComparison.Ordinal));

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("not probed: object and property level (no create operation has an item path: ", coverage, StringComparison.Ordinal);
        Assert.Contains("POST /orders (no item path /orders/{…})", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_takes_the_tokens_another_one_issues_is_probed_with_identities_that_sign_in_there()
    {
        // reco has no login of its own that the manifest uses: ann and ben sign in at books (at: books), and reco accepts
        // books' tokens (the same signing key). reco lets ben read ann's order.
        using var books = new ProbeTestApi(Flaws.None);
        using var reco = new ProbeTestApi(Flaws.Bola, signingSecret: books.SigningSecret);
        var folder = Directory.CreateTempSubdirectory("archgate-security-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, ProbeTestApi.Contract);
        var system = Archgate.Checks.Tests.TestSystems.Load($$"""
            version: 1
            system: { name: t }
            auth:
              ann: { login: POST /auth/login, at: books, user: ann, password: {{ProbeTestApi.Password}}, token: $.accessToken, roles: [customer] }
              ben: { login: POST /auth/login, at: books, user: ben, password: {{ProbeTestApi.Password}}, token: $.accessToken, roles: [customer] }
            components:
              - { name: reco, kind: service, url: "http://127.0.0.1:{{reco.Port}}", openapi: { path: {{contract}} }, auth: ann, dependsOn: [books] }
              - { name: books, kind: service, url: "http://127.0.0.1:{{books.Port}}" }
            security:
              identities: [ann, ben]
            """, folder);
        using var http = Archgate.Checks.Http.ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new AuthorizationCheck(system.Find<Archgate.Model.HttpComponent>("reco")!, new Archgate.Checks.Contracts.ContractDocuments(), new Archgate.Model.SecurityProbeOptions());
        Assert.True(check.AppliesTo(system).Applies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var result = await check.RunAsync(Archgate.Checks.Tests.TestSystems.Context(system, http), timeout.Token);

        var read = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization && f.Location == "GET /orders/{id}");
        Assert.Equal("'ben' read /orders/1, which 'ann' created: GET /orders/{id} answered 200 instead of 403 or 404", read.Message);
        Assert.DoesNotContain(reco.Server.Requests, r => r.PathAndQuery == "/auth/login");
        Assert.Equal(2, books.Server.Requests.Count(r => r.PathAndQuery == "/auth/login"));
    }

    [Fact]
    public async Task A_customer_reaching_an_admin_operation_is_critical_BFLA()
    {
        using var api = new ProbeTestApi(Flaws.CustomerIsAdmin);
        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("GET /admin/orders is admin-only, and 'ann' (roles: customer) got 200", finding.Message);
    }

    [Theory]
    [InlineData("auditor")]
    [InlineData("superadmin")] // a role of the manifest's own that merely names admin: not "admin-only"
    public async Task An_operation_for_a_role_below_admin_is_called_by_an_identity_without_that_role_and_named_by_the_manifests_role(string role)
    {
        // GET /admin/orders declared for the role: ann and ben (customers) hold no such role, and the flawed server lets them in.
        using var api = new ProbeTestApi(Flaws.CustomerIsAdmin);
        var result = await RunAsync(api, $"  roles: {{ \"/admin/**\": [{role}] }}");

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal($"GET /admin/orders is restricted to [{role}], and 'ann' (roles: customer) got 200", finding.Message);
        Assert.Contains($"function level: 1 role-restricted (to {role}) operations called as ann", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  roles: { \"GET /admin/orders\": [Customer] }", null)]
    [InlineData("", "x-roles: [auditor, customer]")]
    public async Task An_operation_every_probed_identity_holds_a_role_of_is_left_out_not_a_finding(string security, string? extension)
    {
        // ann and ben are customers: their getting the customers' operation is what the roles promise, whoever else the server lets in.
        using var api = new ProbeTestApi(Flaws.CustomerIsAdmin);
        var contract = extension is null ? null : ProbeTestApi.Contract.Replace(
            "  /admin/orders:\n    get:\n", $"  /admin/orders:\n    get:\n      {extension}\n", StringComparison.Ordinal);
        Assert.NotEqual(ProbeTestApi.Contract, contract ?? "changed");
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), security, contract: contract);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("GET /admin/orders (for ", coverage, StringComparison.Ordinal);
        Assert.Contains("every identity probed holds one of those roles)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery == "/admin/orders");
    }

    [Fact]
    public async Task Without_an_admin_only_list_function_level_says_nothing_was_declared()
    {
        using var api = new ProbeTestApi(Flaws.CustomerIsAdmin);
        var result = await RunAsync(api, security: "");

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        Assert.Contains("function level: no role-restricted operation declared", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Privileged_properties_taken_from_the_request_are_mass_assignment()
    {
        using var api = new ProbeTestApi(Flaws.MassAssignment);
        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MassAssignment);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal("POST /orders took 'userId', 'status', 'total' from the request, which are read-only or privileged, and read back the injected value", finding.Message);
        Assert.Contains("CWE-915", finding.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_to_all_privileged_properties_at_once_is_no_refusal_each_is_sent_alone_and_the_500_is_reported()
    {
        // The contract's status is a free string; the table takes only three: the made-up one breaks the create as a whole.
        using var api = new ProbeTestApi(Flaws.MassAssignment | Flaws.StatusCheckConstraint);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly,
            contract: ProbeTestApi.Contract.Replace("status: { type: string, enum: [open, paid, shipped] }", "status: { type: string }", StringComparison.Ordinal));

        var mass = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MassAssignment);
        Assert.Equal("POST /orders took 'userId', 'total' from the request, which are read-only or privileged, and read back the injected value", mass.Message);
        Assert.Contains("\"userId\":2", mass.Evidence, StringComparison.Ordinal);
        var error = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MalformedInputServerError);
        Assert.Equal(Severity.Medium, error.Severity);
        Assert.Equal("POST /orders answered 500 to a create with 'status' set to \"archgate-injected\": a server error on unexpected input, not a refusal; " +
            "whether the property is taken from the request was not determined", error.Message);
        Assert.Contains("property level: 1 create operations sent with read-only and privileged properties; POST /orders answered 500 to 3 properties at once, so each was sent alone",
            Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
        // The plain create, all three properties at once, then each alone.
        Assert.Equal(5, api.Server.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/orders"));
    }

    [Fact]
    public async Task Safe_mode_creates_nothing()
    {
        using var api = new ProbeTestApi(Flaws.Bola);
        var result = await RunAsync(api, AdminOnly + "\n  safe: true");

        Assert.DoesNotContain(api.Server.Requests, r => r.Method is "POST" or "PATCH" && r.PathAndQuery != "/auth/login");
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Contains("object level on objects the run creates, and property level (they create resources; security.safe)", result.Findings.Single(f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Safe_mode_reads_an_object_the_owner_already_has_as_the_other_identity_and_writes_nothing()
    {
        // Reading what is there changes nothing, so security.safe keeps BOLA on objects found in the owner's listing.
        using var api = new ProbeTestApi(Flaws.PlacedOrders | Flaws.Bola);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminOnly + "\n  safe: true", contract: OrdersWithList);

        var read = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.StartsWith("'ben' read /orders/1, which 'ann' already has", read.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.Method is not ("GET" or "HEAD" or "OPTIONS") && r.PathAndQuery != "/auth/login");
    }

    [Fact]
    public async Task A_read_the_contract_makes_public_is_not_BOLA_and_the_summary_says_it_was_not_probed()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await CatalogueAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("GET /items/{id} is public in the contract: not probed", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: 1 objects created as ann; as ben 0 reads, 1 changes, 0 actions, 1 deletes, 2 refused", coverage, StringComparison.Ordinal);
        // ben tried to change and delete ann's item, and never read it
        Assert.Contains(api.Server.Requests, r => r.Method == "PUT" && r.PathAndQuery == "/items/1");
        Assert.Contains(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery == "/items/1");
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery == "/items/1");
    }

    [Fact]
    public async Task Another_user_deleting_an_item_is_BOLA_even_when_reading_it_is_public()
    {
        using var api = new ProbeTestApi(Flaws.ForeignDelete);
        var result = await CatalogueAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("'ben' deleted /items/1, which 'ann' created: DELETE /items/{id} answered 204 instead of 403 or 404", finding.Message);
        Assert.Contains("GET /items/{id} is public in the contract: not probed", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_the_manifest_protects_is_probed_whatever_the_contract_says()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await CatalogueAsync(api, protectedPaths: "\"/items/**\"");

        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal("'ben' read /items/1, which 'ann' created: GET /items/{id} answered 200 instead of 403 or 404", finding.Message);
        Assert.DoesNotContain("public in the contract", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Method_patterns_make_the_writes_of_a_path_admin_only_and_leave_its_public_read_public()
    {
        using var api = new ProbeTestApi(Flaws.AdminItemWrites);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o),
            "  adminOnly: [\"PUT /items/*\", \"delete /items/*\"]", contract: ProbeTestApi.CatalogueContract);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("GET /items/{id} is public in the contract: not probed", coverage, StringComparison.Ordinal);
        // Anyone may create an item: ann creates the one she then may not change or delete, so only her role can refuse her.
        Assert.Contains("function level: 2 admin-only operations called as ann, 2 refused (2 on objects this run created as ann)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery == "/items/1"); // ben never read ann's item
    }

    [Fact]
    public async Task An_admin_only_method_pattern_no_operation_matches_is_probed_with_its_method_and_the_read_is_not_admin_only()
    {
        // ann may list the admin orders here (a defect if GET were admin-only): the manifest makes only POST admin-only.
        using var api = new ProbeTestApi(Flaws.CustomerIsAdmin);
        var result = await RunAsync(api, "  adminOnly: [\"POST /admin/orders\"]");

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        var probe = Assert.Single(api.Server.Requests, r => r.PathAndQuery == "/admin/orders");
        Assert.Equal(("POST", "{}"), (probe.Method, probe.Body));
        Assert.StartsWith("Bearer ", probe.Headers.GetValueOrDefault("Authorization"), StringComparison.Ordinal);
        // The service has no POST /admin/orders: its 404 is no refusal
        Assert.Contains("function level: 0 admin-only operations called as ann, 0 refused, not found (answered 404: the path does not exist here, not counted): POST /admin/orders",
            Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_write_no_operation_matches_is_not_sent_in_safe_mode()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api, "  adminOnly: [\"POST /admin/orders\"]\n  safe: true");

        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery == "/admin/orders");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("not probed: POST /admin/orders (security.safe)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("no role-restricted operation declared", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_x_roles_operation_the_contract_makes_public_is_not_called_as_a_customer()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var contract = ProbeTestApi.CatalogueContract.Replace("      security: []\n      responses:\n        '200': { description: the item",
            "      security: []\n      x-roles: [admin]\n      responses:\n        '200': { description: the item", StringComparison.Ordinal);
        Assert.NotEqual(ProbeTestApi.CatalogueContract, contract);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: contract);

        Assert.DoesNotContain(result.Findings, f => f.Rule is SecurityRules.FunctionLevelAuthorization or SecurityRules.ObjectLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("function level: 0 admin-only operations called as ann", coverage, StringComparison.Ordinal);
        Assert.Contains("GET /items/{id} is public in the contract: not probed", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_create_is_made_as_the_admin_and_another_identity_is_refused_the_admins_order()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates);
        var result = await RunAsync(api, AdminPlacesOrders);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("object level: 1 objects created as ada (admin-only creates), as ben 1 changes, 0 actions, 0 deletes, 1 refused; not judged, as what only an admin creates is usually shared: its reads (GET /orders/{id})", coverage, StringComparison.Ordinal);
        Assert.Contains("property level: 1 create operations", coverage, StringComparison.Ordinal);
        Assert.Contains("function level: 2 admin-only operations called as ann, 2 refused", coverage, StringComparison.Ordinal); // ann's POST /orders among them
        Assert.Contains(api.Server.Requests, r => r.Method == "PATCH" && r.PathAndQuery == "/orders/1");
    }

    [Fact]
    public async Task Another_user_changing_an_order_an_admin_created_is_critical_BOLA_and_reading_it_is_not_judged()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.Bola);
        var result = await RunAsync(api, AdminPlacesOrders);

        Assert.Equal(CheckStatus.Fail, result.Status);
        // What only an admin creates is usually shared behind a sign-in (an event, a product): reading it proves nothing.
        var change = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal("PATCH /orders/{id}", change.Location);
        Assert.Equal(Severity.Critical, change.Severity);
        Assert.Equal("'ben' changed /orders/1, which 'ada' (an admin) created: PATCH /orders/{id} answered 200 instead of 403 or 404", change.Message);
        Assert.Contains("answered 200: {\"id\":1,\"userId\":3", change.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(ProbeTestApi.Password, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_one_ordinary_identity_it_must_not_reach_what_the_admin_created()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.Bola);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminPlacesOrders, identities: "ada, ann");

        var change = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal("'ann' changed /orders/1, which 'ada' (an admin) created: PATCH /orders/{id} answered 200 instead of 403 or 404", change.Message);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("object level: 1 objects created as ada (admin-only creates), as ann 1 changes, 0 actions, 0 deletes", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("one identity only", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_read_of_an_item_an_admin_created_is_not_BOLA_and_its_owner_only_writes_are_refused()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: AdminCatalogue);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("GET /items/{id} is public in the contract: not probed", coverage, StringComparison.Ordinal);
        Assert.Contains("object level: 1 objects created as ada (admin-only creates), as ben 1 changes, 0 actions, 1 deletes, 2 refused", coverage, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "PUT" && r.PathAndQuery == "/items/1");
        Assert.Contains(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery == "/items/1");
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery == "/items/1"); // ben never read ada's item
    }

    [Fact]
    public async Task Another_user_deleting_an_item_an_admin_created_is_BOLA_while_reading_it_is_public()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.ForeignDelete);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: AdminCatalogue);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal("'ben' deleted /items/1, which 'ada' (an admin) created: DELETE /items/{id} answered 204 instead of 403 or 404", finding.Message);
    }

    /// <summary>Orders only staff may place (<see cref="Flaws.StaffCreates"/>), by <c>security.roles</c>: a role below admin (ex14's rooms).</summary>
    private const string StaffPlacesOrders = "  adminOnly: [\"/admin/**\"]\n  roles: { \"POST /orders\": [staff] }";

    [Fact]
    public async Task A_create_restricted_to_a_role_below_admin_is_made_as_the_identity_that_holds_it_and_probed()
    {
        using var api = new ProbeTestApi(Flaws.StaffCreates | Flaws.Bola);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), StaffPlacesOrders, staff: true);

        // sam holds the role and made the order; ben changed it: BOLA, found.
        var change = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ObjectLevelAuthorization);
        Assert.Equal("'ben' changed /orders/1, which 'sam' created: PATCH /orders/{id} answered 200 instead of 403 or 404", change.Message);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Location == "authorization").Message;
        Assert.Contains("object level: 1 objects created as sam (restricted creates), as ben 1 changes", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("roles: [admin]", string.Join("\n", result.Findings.Select(f => f.Message + f.Hint)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_identity_of_the_role_a_restricted_create_is_left_out_naming_the_manifests_roles()
    {
        using var api = new ProbeTestApi(Flaws.StaffCreates);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), StaffPlacesOrders);

        var leftOut = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Location == "POST /orders");
        Assert.Equal("POST /orders is restricted to [staff] and no identity has one of those roles: what it creates was not probed for object and property level " +
            "(declare an identity with roles: [staff] in the top-level auth section)", leftOut.Message);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Location == "authorization").Message;
        Assert.Contains("object level: no object created, no identity may call a create operation: POST /orders (restricted to [staff], and no identity has one of those roles)", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_admin_identity_an_admin_only_create_is_left_out_with_an_info_finding_not_a_failed_create()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), AdminPlacesOrders, identities: "ann, ben", admin: false);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Severity > Severity.Info);
        var leftOut = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Location == "POST /orders");
        Assert.Equal(Severity.Info, leftOut.Severity);
        Assert.Equal("POST /orders is admin-only and no identity has roles: [admin]: what it creates was not probed for object and property level " +
            "(declare an identity with roles: [admin] in the top-level auth section)", leftOut.Message);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage && f.Location == "authorization").Message;
        Assert.Contains("object level: no object created, every create operation is admin-only (POST /orders) and no identity has roles: [admin]", coverage, StringComparison.Ordinal);
        Assert.Contains("property level: 0 create operations", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("objects created as", coverage, StringComparison.Ordinal);
        Assert.Single(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/orders"); // ann's function-level probe, refused; no create as ann
    }

    /// <summary>A books catalogue: only an admin adds (<c>x-roles</c>), changes and deletes (<c>security.adminOnly</c>) an item; anyone reads one.</summary>
    private static Task<CheckResult> AdminItemsAsync(ProbeTestApi api) =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "  adminOnly: [\"PUT /items/*\", \"DELETE /items/*\"]", contract: AdminCatalogue);

    [Fact]
    public async Task A_conflict_on_an_admin_only_change_is_no_refusal_and_the_change_with_a_fitting_body_is_critical_BFLA()
    {
        // The contract's PUT example names 'Mug rack', which item 2 already has: 409, as for anyone who got past the role check.
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.MembersWriteItems | Flaws.UniqueItemNames);
        var result = await AdminItemsAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var change = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization && f.Location == "PUT /items/{id}");
        Assert.Equal(Severity.Critical, change.Severity);
        Assert.Equal("PUT /items/{id} is admin-only, and 'ann' (roles: customer) got 200 on /items/3, which this run created as 'ada'", change.Message);
        Assert.Contains("\"name\":\"Enamel mug\"", change.Evidence, StringComparison.Ordinal); // sent again with the item as it is
        var puts = api.Server.Requests.Where(r => r.Method == "PUT" && r.PathAndQuery == "/items/3").Take(2).Select(r => r.Body).ToList();
        Assert.Equal(["{\"name\":\"Mug rack\"}", "{\"name\":\"Enamel mug\"}"], puts);
        Assert.DoesNotContain(api.Server.Requests, r => r.Method is "PUT" or "DELETE" && r.PathAndQuery is "/items/1" or "/items/2");
        // The object-level PUT of the same example conflicts too: no refusal there either.
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        // The object-level PUT is not sent: ben holds no role that may call it, so his refusal would be the role's.
        Assert.Contains("object level: not sent where the identity holds none of the roles that may call them (its refusal would be the role's; function level judges them): PUT /items/{id} as ben", coverage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_create_is_probed_before_the_objects_of_the_item_probes_are_made_from_the_same_example()
    {
        // Members may create items (no admin role check on POST /items) and names are unique: probed after ada made the
        // item probes' object from the contract's example, ann's create of that example would only meet a conflict.
        using var api = new ProbeTestApi(Flaws.MembersWriteItems | Flaws.UniqueItemNames);
        var result = await AdminItemsAsync(api);

        var create = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization && f.Location == "POST /items");
        Assert.Equal(Severity.Critical, create.Severity);
        Assert.Contains("--data-raw '{\"name\":\"Enamel mug\"}'", create.Evidence, StringComparison.Ordinal); // the example itself, no conflict
        Assert.DoesNotContain("POST /items (answered 409", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_delete_is_probed_on_an_item_this_run_created_and_a_204_is_critical_BFLA()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.MembersWriteItems | Flaws.UniqueItemNames);
        var result = await AdminItemsAsync(api);

        var delete = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization && f.Location == "DELETE /items/{id}");
        Assert.Equal(Severity.Critical, delete.Severity);
        Assert.Equal("DELETE /items/{id} is admin-only, and 'ann' (roles: customer) got 204 on /items/3, which this run created as 'ada'", delete.Message);
        // Item 3 is the one ada's create made (items 1 and 2 were there before the run, and are never deleted)
        var created = api.Server.Requests.ToList().FindIndex(r => r.Method == "POST" && r.PathAndQuery == "/items" && r.Body == "{\"name\":\"Enamel mug\"}");
        var deleted = api.Server.Requests.ToList().FindIndex(r => r.Method == "DELETE" && r.PathAndQuery == "/items/3");
        Assert.InRange(created, 0, deleted - 1);
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery is "/items/1" or "/items/2");
        Assert.DoesNotContain("a delete is sent only", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_create_an_ordinary_identity_carried_out_made_the_object_its_admin_only_delete_is_probed_on()
    {
        // No identity has roles: [admin], so no admin can make an item; ann's create, which should have been refused, made one.
        using var api = new ProbeTestApi(Flaws.MembersWriteItems | Flaws.UniqueItemNames);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o),
            "  adminOnly: [\"PUT /items/*\", \"DELETE /items/*\"]", contract: AdminCatalogue, identities: "ann, ben", admin: false);

        var delete = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization && f.Location == "DELETE /items/{id}");
        Assert.Equal(Severity.Critical, delete.Severity);
        Assert.Equal("DELETE /items/{id} is admin-only, and 'ann' (roles: customer) got 204 on /items/3, which this run created as 'ann'", delete.Message);
        Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization && f.Location == "POST /items" && f.Severity == Severity.Critical);
        Assert.Single(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/items"); // no second create of the example
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery is "/items/1" or "/items/2");
    }

    [Fact]
    public async Task A_catalogue_that_keeps_its_changes_and_deletes_to_admins_passes_with_each_counted_refused()
    {
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.AdminItemWrites | Flaws.UniqueItemNames);
        var result = await AdminItemsAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.Contains("function level: 3 admin-only operations called as ann, 3 refused (2 on objects this run created as ada)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("not determined", coverage, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.Method == "DELETE" && r.PathAndQuery == "/items/3");
        // No retry: each answer was a refusal. The one read is the property-level create's read-back: its 409 (the
        // example's name, which the object-level create took) went once more with a unique name.
        Assert.Single(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery.StartsWith("/items/", StringComparison.Ordinal));
        Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/items" && r.Body.Contains("\"name\":\"Enamel mug-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_string_enum_property_is_sent_another_member_of_the_enum_not_its_JSON_text()
    {
        // ex15: status was sent as "\"draft\"" (the member's JSON text, quotes and all), which the table refused with a 500.
        using var api = new ProbeTestApi(Flaws.MassAssignment | Flaws.StatusCheckConstraint);
        var result = await RunAsync(api);

        var mass = Assert.Single(result.Findings, f => f.Rule == SecurityRules.MassAssignment);
        Assert.Equal("POST /orders took 'userId', 'status', 'total' from the request, which are read-only or privileged, and read back the injected value", mass.Message);
        Assert.Contains("\"status\":\"paid\"", mass.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.MalformedInputServerError);
    }

    [Fact]
    public async Task A_mass_assignment_create_answered_409_for_the_example_goes_once_more_with_unique_values()
    {
        // ex15: every property-level create reused the example's unique invoice number an earlier create had made.
        using var api = new ProbeTestApi(Flaws.UniqueItemNames);
        var result = await CatalogueAsync(api);

        var creates = api.Server.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/items" && r.Body.Contains("ownerId", StringComparison.Ordinal)).ToList();
        Assert.True(creates.Count == 2, ProbeKit.Dump(result, api));
        Assert.Contains("\"name\":\"Enamel mug-", creates[1].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("not determined (not counted as refused): 'ownerId'",
            Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_property_whose_creates_all_answered_409_is_said_not_determined_with_the_status()
    {
        // The name has a pattern, so no unique value can be made: the example's 409 stands.
        using var api = new ProbeTestApi(Flaws.UniqueItemNames);
        var contract = ProbeTestApi.CatalogueContract.Replace(
            "properties: { name: { type: string, maxLength: 100 } }", "properties: { name: { type: string, maxLength: 100, pattern: '^[A-Za-z ]+$' } }", StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthorizationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: contract);

        Assert.Contains("property level: 1 create operations sent with read-only and privileged properties; POST /items not determined (not counted as refused): 'ownerId' (answered 409)",
            Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message, StringComparison.Ordinal);
    }
}
