using System.Globalization;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

internal sealed partial class AuthorizationCheck
{
    private sealed partial class Run
    {
        /// <summary>Bounds of one restricted action's replay: short, as each sequence makes an object of its own.</summary>
        private static readonly TransitionBudget ReplayBudget = new() { MaxDepth = 3, Requests = 24, Objects = 8 };

        /// <summary>
        /// BFLA on an action that is legal only in some states (approve needs a submitted claim): <see cref="TransitionExplorer"/>
        /// walks the resource's actions on fresh objects of this run, each step sent by whoever may (the object's owner, or
        /// an identity holding the step's roles), the probed action always by the probe's caller, who lacks its role. It
        /// ends at the first answer that is not the object's state (2xx, 401, 403, 404, or none): what the caller got where
        /// the action is legal. Null <see cref="ActionReplay.Sent"/> when the probe was never sent, and why.
        /// </summary>
        private async Task<ActionReplay> ReplayActionAsync(
            FunctionProbe probe, ActionResource resource, List<(ServiceAuth Identity, Credentials Credentials)> callers,
            CheckContext context, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var probed = probe.Operation!.Name;
            var senders = new Dictionary<string, (ResourceAction Action, (ServiceAuth Identity, Credentials Credentials)? Who)>(StringComparer.Ordinal);
            var withoutSender = new List<string>();
            foreach (var action in resource.Actions)
            {
                if (action.Operation.Name == probed || AdminOperations.RequiredRoles(action.Operation, policy) is not { } roles)
                {
                    senders[action.Name] = (action, action.Operation.Name == probed ? probe.Caller : null); // null: the object's owner
                    continue;
                }

                var holder = callers.FirstOrDefault(c => AdminOperations.Holds(c.Identity, roles));
                if (holder.Identity is null && RoleRestriction.Of(context.System, action.Operation)?.Caller is { } holds
                    && await SignedInAsync(holds, context, timeout, "restricted actions were not replayed to bring objects to a state", cancellationToken) is { } signedIn)
                {
                    holder = signedIn;
                }

                if (holder.Identity is null)
                {
                    withoutSender.Add($"{action.Name} (for {string.Join(", ", roles)}: no identity holds one)");
                }
                else
                {
                    senders[action.Name] = (action, holder);
                }
            }

            ActionReplay? last = null;
            async Task<TransitionRun> RunAsync(IReadOnlyList<string> sequence)
            {
                var (made, why) = await OwnObjectAsync(resource.Resource.Create, resource.Resource.Item, probe.Caller, context, timeout, cancellationToken);
                if (made is null)
                {
                    return new TransitionRun(sequence, [], 1, why);
                }

                var steps = new List<TransitionStep>();
                foreach (var name in sequence)
                {
                    var (action, who) = senders[name];
                    var identity = who ?? made.Owner;
                    var planned = PlanOne(action.Operation, made.Book);
                    var request = identity.Credentials.On(planned with { Body = action.Apply(planned.Body) });
                    var exchange = await sender.SendAsync(request, cancellationToken);
                    steps.Add(new TransitionStep(name, exchange?.Status ?? 0, $"{name} as {identity.Identity.Label}: {exchange?.Status.ToString(CultureInfo.InvariantCulture) ?? "no answer"}"));
                    if (action.Operation.Name == probed)
                    {
                        last = new ActionReplay(request, exchange, made, [.. sequence.Take(steps.Count - 1)], null)
                        {
                            Prefix = string.Join(", ", steps.Take(steps.Count - 1).Select(s => s.Evidence)),
                        };
                    }

                    if (exchange is not { Succeeded: true })
                    {
                        break;
                    }
                }

                return new TransitionRun(sequence, steps, 1 + steps.Count);
            }

            bool Settled(TransitionRun run) =>
                run.Steps.Count == run.Sequence.Count && senders[run.Sequence[^1]].Action.Operation.Name == probed
                && run.Steps[^1].Status is 0 or (>= 200 and < 300) or 401 or 403 or 404;

            var map = await TransitionExplorer.ExploreAsync([.. senders.Keys], ReplayBudget, RunAsync, cancellationToken, Settled);
            var limits = string.Concat(
                map.Cut is { } cut ? $"; {cut}" : string.Empty,
                withoutSender.Count > 0 ? $"; not replayed: {string.Join(", ", withoutSender)}" : string.Empty);
            return last is null
                ? new ActionReplay(null, null, null, [], $"no object of this run reached it{limits}")
                : last with { Limits = limits, Sequences = map.Runs.Count };
        }

        /// <summary>
        /// What a restricted action answered its caller after a replay: the request, its answer, the object it went to and
        /// the actions that brought it there; or why it was not sent.
        /// </summary>
        private sealed record ActionReplay(ProbeRequest? Sent, ProbeExchange? Exchange, RunObject? Object, IReadOnlyList<string> After, string? Why)
        {
            /// <summary>The steps before the probe, each with who sent it and its answer: <c>submit as ann: 200</c>.</summary>
            public string Prefix { get; init; } = string.Empty;

            /// <summary>What bounded the replay (a budget, an action no identity may send), as <c>; ...</c> clauses.</summary>
            public string Limits { get; init; } = string.Empty;

            /// <summary>How many sequences were run.</summary>
            public int Sequences { get; init; }

            /// <summary><c> after [submit as ann: 200]</c>, or empty on a fresh object.</summary>
            public string Where => After.Count == 0 ? " on a fresh object" : $" after [{Prefix}]";
        }
    }
}
