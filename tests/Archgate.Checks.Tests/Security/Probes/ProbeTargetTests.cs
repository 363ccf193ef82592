using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security.Probes;
using Archgate.Checks.Tests.Frontend;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class ProbeTargetTests
{
    [Fact]
    public async Task A_create_whose_body_names_another_resource_creates_that_one_first_and_names_it()
    {
        // ex11: step 9 created its object from the contract's {"holdId": 1}, an order of a hold an earlier run had ordered: 409.
        using var api = new FakeTicketApi();
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http);
        var options = new Archgate.Model.SecurityProbeOptions();
        var (target, _) = await ProbeTarget.OpenAsync(system.Find<Archgate.Model.HttpComponent>("api")!, context, new ContractDocuments(), options, CancellationToken.None);
        var book = target!.NewBook();

        var sender = target.Sender(context, options);
        var (created, notPlanned) = await target.CreateAsync(
            sender, target.Operations.Single(o => o.Name == "POST /orders"), target.Service, book, CancellationToken.None);

        Assert.Null(notPlanned);
        Assert.Equal(201, created?.Status);
        Assert.Equal(["POST /seats", "POST /holds", "POST /orders"], api.Server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        var hold = book.Created("/holds/{id}", "id");
        Assert.NotNull(hold);
        Assert.Contains($"\"holdId\":{hold}", api.Server.Requests.Last().Body, StringComparison.Ordinal);

        // Step 9 leaves nothing behind: the order first, then the hold it names, then the hold's seat, as their creator.
        var cleanup = await target.CleanUpAsync(sender, CancellationToken.None);

        Assert.Equal("cleanup: 3 of 3 objects the probes created deleted", cleanup);
        Assert.Equal(["DELETE /orders/", "DELETE /holds/", "DELETE /seats/"], api.Server.Requests.Skip(3).Select(r => $"{r.Method} {r.PathAndQuery[..(r.PathAndQuery.LastIndexOf('/') + 1)]}"));
        Assert.Null(await target.CleanUpAsync(sender, CancellationToken.None));
    }
}
