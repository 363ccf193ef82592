using Archgate.Checks.Contracts.Transitions;

namespace Archgate.Checks.Tests.Contracts.Transitions;

public sealed class TransitionExplorerTests
{
    private static readonly string[] Actions = ["submit", "approve", "reject", "pay"];

    /// <summary>draft -submit-> submitted -approve/reject-> approved/rejected; approved -pay-> paid; anything else refused.</summary>
    private static string? Next(string state, string action) => (state, action) switch
    {
        ("draft", "submit") => "submitted",
        ("submitted", "approve") => "approved",
        ("submitted", "reject") => "rejected",
        ("approved", "pay") => "paid",
        _ => null,
    };

    private static Task<TransitionRun> Run(IReadOnlyList<string> sequence, List<IReadOnlyList<string>> seen)
    {
        seen.Add(sequence);
        var state = "draft";
        var steps = new List<TransitionStep>();
        foreach (var action in sequence)
        {
            var next = Next(state, action);
            steps.Add(new TransitionStep(action, next is null ? 409 : 200, $"{action} -> {(next is null ? 409 : 200)}"));
            if (next is null)
            {
                break;
            }

            state = next;
        }

        return Task.FromResult(new TransitionRun(sequence, steps, 1 + steps.Count));
    }

    [Fact]
    public async Task Sequences_run_breadth_first_each_accepted_one_followed_by_every_action()
    {
        var seen = new List<IReadOnlyList<string>>();

        var map = await TransitionExplorer.ExploreAsync(Actions, new TransitionBudget { Requests = 1000, Objects = 1000 }, s => Run(s, seen), CancellationToken.None);

        Assert.Null(map.Cut);
        var order = seen.Select(s => string.Join(",", s)).ToList();
        Assert.Equal(
        [
            "submit", "approve", "reject", "pay",
            "submit,submit", "submit,approve", "submit,reject", "submit,pay",
            "submit,approve,submit", "submit,approve,approve", "submit,approve,reject", "submit,approve,pay",
            "submit,reject,submit", "submit,reject,approve", "submit,reject,reject", "submit,reject,pay",
        ], order);
        Assert.Equal(["submit", "approve", "pay"], TransitionExplorer.AcceptedPath(map, "pay"));
        Assert.Equal(8 + 12 + 32, map.Requests); // a create and the actions sent, each sequence
    }

    [Fact]
    public async Task A_request_budget_stops_the_walk_and_says_where()
    {
        var seen = new List<IReadOnlyList<string>>();

        var map = await TransitionExplorer.ExploreAsync(Actions, new TransitionBudget { Requests = 20, Objects = 1000 }, s => Run(s, seen), CancellationToken.None);

        // Depth 1 costs 4 creates and 4 actions (8), depth 2 a create and two actions each (12): 20, no room for depth 3.
        Assert.Equal(8, seen.Count);
        Assert.Equal(20, map.Requests);
        Assert.Equal("the budget of 20 requests ran out at depth 3: 8 sequence(s) of 3 action(s) not run, from [submit, approve, submit]", map.Cut);
    }

    [Fact]
    public async Task An_object_budget_stops_the_walk_and_says_where()
    {
        var seen = new List<IReadOnlyList<string>>();

        var map = await TransitionExplorer.ExploreAsync(Actions, new TransitionBudget { Requests = 1000, Objects = 6 }, s => Run(s, seen), CancellationToken.None);

        Assert.Equal(6, map.Runs.Count);
        Assert.StartsWith("the budget of 6 objects ran out at depth 2: 2 sequence(s) of 2 action(s) not run, from [submit, reject]", map.Cut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_create_ends_the_walk()
    {
        var map = await TransitionExplorer.ExploreAsync(Actions, new TransitionBudget(),
            s => Task.FromResult(new TransitionRun(s, [], 1, "POST /claims answered 500")), CancellationToken.None);

        Assert.Single(map.Runs);
        Assert.Equal("no object to act on: POST /claims answered 500", map.Cut);
    }
}
