using Archgate.Checks.Frontend;

namespace Archgate.Checks.Contracts.Transitions;

/// <summary>What one step of a sequence answered: the action's verb, its status (0 when nothing answered) and a summary for evidence.</summary>
/// <param name="Action">The action's verb (<c>submit</c>).</param>
/// <param name="Status">The status; 0 when nothing answered.</param>
/// <param name="Evidence">The request and an excerpt of its answer.</param>
internal sealed record TransitionStep(string Action, int Status, string Evidence)
{
    /// <summary>Whether the action was accepted (2xx).</summary>
    public bool Accepted => Status is >= 200 and < 300;

    /// <summary>
    /// Whether it was refused for the object's state: a 4xx other than 401, 403, 404, 405 and 429 (who may call it, that
    /// it exists, and the rate are no answer about the state).
    /// </summary>
    public bool RefusedForState => Status is >= 400 and < 500 and not (401 or 403 or 404 or 405 or 429);

    /// <summary>The whole answer, for judging its body; null where a caller keeps only the status.</summary>
    public ApiAnswer? Answer { get; init; }
}

/// <summary>
/// One sequence run on its own fresh object: the object it was run on, each step's answer in order (it stops at the
/// first step not accepted), or why it did not run (the create failed).
/// </summary>
/// <param name="Sequence">The actions' verbs, the probe last.</param>
/// <param name="Steps">The answers, at most one per action, in order.</param>
/// <param name="Requests">How many requests the run sent (the create, reads for an ETag, the actions; not the clean-up).</param>
/// <param name="NotRun">Why no action was sent (the create failed), or null.</param>
internal sealed record TransitionRun(IReadOnlyList<string> Sequence, IReadOnlyList<TransitionStep> Steps, int Requests, string? NotRun = null)
{
    /// <summary>Whether every action of the sequence was accepted.</summary>
    public bool Accepted => NotRun is null && Steps.Count == Sequence.Count && Steps.All(s => s.Accepted);

    /// <summary><c>[submit, approve] then pay</c>, for messages.</summary>
    public string Describe() => Sequence.Count == 1 ? $"{Sequence[0]} on a fresh object" : $"{Sequence[^1]} after [{string.Join(", ", Sequence.Take(Sequence.Count - 1))}]";

    /// <summary>Each step and its answer, one a line.</summary>
    public string Evidence() => NotRun ?? string.Join('\n', Steps.Select(s => s.Evidence));
}

/// <summary>What the explorer ran, and where a budget cut it.</summary>
/// <param name="Runs">Every sequence run, in the order run (breadth-first).</param>
/// <param name="Requests">Requests sent, in all.</param>
/// <param name="Cut">What was left unexplored and why (a budget ran out, a create failed), or null.</param>
internal sealed record TransitionMap(IReadOnlyList<TransitionRun> Runs, int Requests, string? Cut);

/// <summary>The explorer's bounds.</summary>
internal sealed record TransitionBudget
{
    /// <summary>How long a sequence may be. <value>3</value>.</summary>
    public int MaxDepth { get; init; } = 3;

    /// <summary>Requests per resource (creates, reads, actions; not the clean-up). <value>60</value>, enough for four actions three deep when one path branches twice.</summary>
    public int Requests { get; init; } = 60;

    /// <summary>Fresh objects per resource (one per sequence). <value>20</value>.</summary>
    public int Objects { get; init; } = 20;
}

/// <summary>
/// Walks an object's action sequences breadth-first: depth 1 is each action on a fresh object, depth 2 each sequence
/// accepted at depth 1 followed by each action (the same one again included), and so on to
/// <see cref="TransitionBudget.MaxDepth"/>. Each sequence runs on an object of its own (created, then the prefix, then
/// the probe action), through <c>run</c>, which knows how to create and act on the object; the explorer knows only
/// the order and the bounds, so a check that needs an object in a given state (an approved claim) can ask it which
/// sequence gets there (<see cref="AcceptedPath"/>).
/// </summary>
internal static class TransitionExplorer
{
    /// <summary>
    /// Explores <paramref name="actions"/> (verbs) with <paramref name="run"/> (a sequence to its run on a fresh object), within
    /// <paramref name="budget"/>; it ends early after a run <paramref name="enough"/> says settles what the caller asked
    /// (step 9's probe of one action once it was answered other than by the object's state).
    /// </summary>
    public static async Task<TransitionMap> ExploreAsync(
        IReadOnlyList<string> actions, TransitionBudget budget, Func<IReadOnlyList<string>, Task<TransitionRun>> run, CancellationToken cancellationToken,
        Func<TransitionRun, bool>? enough = null)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(run);
        var runs = new List<TransitionRun>();
        var requests = 0;
        var frontier = new List<IReadOnlyList<string>> { Array.Empty<string>() };
        for (var depth = 1; depth <= budget.MaxDepth && frontier.Count > 0; depth++)
        {
            var next = new List<IReadOnlyList<string>>();
            var planned = frontier.SelectMany(prefix => actions.Select(a => (IReadOnlyList<string>)[.. prefix, a])).ToList();
            for (var i = 0; i < planned.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var sequence = planned[i];
                var left = planned.Count - i;
                if (runs.Count >= budget.Objects)
                {
                    return new TransitionMap(runs, requests, $"the budget of {budget.Objects} objects ran out at depth {depth}: {left} sequence(s) of {depth} action(s) not run, from {Describe(sequence)}");
                }

                // A sequence costs its create and its actions at least.
                if (requests + 1 + sequence.Count > budget.Requests)
                {
                    return new TransitionMap(runs, requests, $"the budget of {budget.Requests} requests ran out at depth {depth}: {left} sequence(s) of {depth} action(s) not run, from {Describe(sequence)}");
                }

                var outcome = await run(sequence);
                runs.Add(outcome);
                requests += outcome.Requests;
                if (outcome.NotRun is not null)
                {
                    return new TransitionMap(runs, requests, $"no object to act on: {outcome.NotRun}");
                }

                if (enough?.Invoke(outcome) == true)
                {
                    return new TransitionMap(runs, requests, null);
                }

                if (outcome.Accepted)
                {
                    next.Add(sequence);
                }
            }

            frontier = next;
        }

        return new TransitionMap(runs, requests, null);
    }

    /// <summary>The shortest sequence the map saw accepted that ends with <paramref name="action"/>, or null.</summary>
    public static IReadOnlyList<string>? AcceptedPath(TransitionMap map, string action) =>
        map.Runs.Where(r => r.Accepted && r.Sequence[^1] == action).Select(r => r.Sequence).FirstOrDefault();

    private static string Describe(IReadOnlyList<string> sequence) => $"[{string.Join(", ", sequence)}]";
}
