using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public sealed class VirtualUserVariablesTests
{
    [Fact]
    public void Uuid_is_one_value_per_iteration_and_differs_between_users_and_iterations()
    {
        var ann = new VirtualUserVariables(1);
        var bob = new VirtualUserVariables(2);
        ann.SetIteration(1);
        bob.SetIteration(1);

        var first = ann.Fill("note {vu}-{iteration}-{uuid}");
        Assert.Equal(first, ann.Fill("note {vu}-{iteration}-{uuid}")); // the steps of one iteration share it
        Assert.Matches("^note 1-1-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", first);
        Assert.NotEqual(first[^36..], bob.Fill("{uuid}"));
        ann.SetIteration(2);
        Assert.NotEqual(first[^36..], ann.Fill("{uuid}"));
    }

    [Fact]
    public void A_plan_may_use_uuid_without_capturing_it()
    {
        var plan = new LoadPlan(new Uri("http://127.0.0.1:9/"), [LoadJourney.OfRequest(new LoadRequest("POST", "/notes") { Body = """{"title":"t-{uuid}"}"""u8.ToArray() })]);

        Assert.Empty(plan.Validate());
    }
}
