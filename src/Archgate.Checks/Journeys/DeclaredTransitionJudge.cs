using System.Globalization;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7 against a resource's declared state machine (<c>transitions</c> in the manifest): the state is the last
/// accepted action (<see cref="DeclaredTransitions.Start"/> on a fresh object). An action accepted where the declaration
/// does not allow it is AG7073; an action it allows, sent in exactly that state (every earlier step of its sequence a
/// declared move), refused with a 4xx about the state is AG7074. A repeated action accepted is not judged (it may be
/// idempotent), nor an action after a state the declaration has no entry for.
/// </summary>
internal static class DeclaredTransitionJudge
{
    /// <summary>The declaration for <paramref name="resource"/>'s item, matched as the contract writes it (a trailing slash or not).</summary>
    public static DeclaredTransitions? For(ServiceComponent service, ActionResource resource) =>
        service.Transitions.FirstOrDefault(d => PathTemplates.Same(d.Item, resource.Resource.Item));

    /// <summary>The declarations whose item is no resource with actions in the contract, each said for AG7072.</summary>
    public static IEnumerable<string> Unmatched(ServiceComponent service, IReadOnlyList<ActionResource> resources) =>
        service.Transitions.Where(d => !resources.Any(r => PathTemplates.Same(d.Item, r.Resource.Item))).Select(d =>
            $"transitions declared for {d.Item} ({d.Location}), which is no resource with actions in {service.Name}'s contract{(resources.Count == 0 ? string.Empty : $" (those with actions: {string.Join(", ", resources.Select(r => r.Resource.Item))})")}: not judged");

    /// <summary>Judges every step the walk explored against <paramref name="declared"/>; returns what AG7072 says of it.</summary>
    public static List<string> Judge(
        string serviceName, ActionResource resource, TransitionMap map, DeclaredTransitions declared, Func<string, ResourceAction?> action, List<Finding> findings)
    {
        var notes = new List<string>();
        var known = resource.Actions.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var strangers = declared.Allowed.Keys.Where(k => k != DeclaredTransitions.Start).Concat(declared.Allowed.Values.SelectMany(v => v))
            .Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        if (strangers.Count > 0)
        {
            notes.Add($"declared actions that are no action of the contract for {resource.Resource.Item}: {string.Join(", ", strangers)} (its actions: {string.Join(", ", known)})");
        }

        var noun = BodyReferences.Singular(PathTemplates.Last(resource.Resource.Collection));
        var illegal = new List<(string State, TransitionRun Run, int Index)>();
        var refused = new List<(string State, TransitionRun Run, int Index)>();
        var undeclared = new List<string>();
        var judged = 0;
        // A step stands in every run that extends its sequence: each sequence is judged once.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in map.Runs)
        {
            var legal = true;
            for (var i = 0; i < run.Steps.Count; i++)
            {
                var step = run.Steps[i];
                var state = i == 0 ? DeclaredTransitions.Start : run.Steps[i - 1].Action;
                var repeated = i > 0 && step.Action == state;
                var allowed = declared.Allowed.TryGetValue(state, out var next) ? next : null;
                var first = seen.Add(string.Join('\n', run.Sequence.Take(i + 1)));
                if (step.Accepted)
                {
                    if (first && !repeated && allowed is null)
                    {
                        undeclared.Add($"{step.Action} after {state}");
                    }
                    else if (first && !repeated && !allowed!.Contains(step.Action, StringComparer.Ordinal))
                    {
                        illegal.Add((state, run, i));
                    }
                    else if (first && !repeated)
                    {
                        judged++;
                    }

                    legal &= repeated || allowed?.Contains(step.Action, StringComparer.Ordinal) == true;
                }
                else if (first && legal && step.RefusedForState && allowed?.Contains(step.Action, StringComparer.Ordinal) == true)
                {
                    refused.Add((state, run, i));
                }
            }
        }

        static string Shown(TransitionRun run, int index) =>
            $"[{string.Join(", ", run.Sequence.Take(index + 1))}]:\n{string.Join('\n', run.Steps.Take(index + 1).Select(s => s.Evidence))}";

        foreach (var move in illegal.GroupBy(m => (m.Run.Steps[m.Index].Action, m.State)))
        {
            var (verb, state) = move.Key;
            var allowed = declared.Allowed[state];
            var where = state == DeclaredTransitions.Start ? $"on a fresh {noun}" : $"after {state}";
            findings.Add(Findings.Create(JourneyRules.IllegalTransitionAccepted, Severity.High, serviceName, action(verb)?.Operation.Name ?? resource.Resource.Item,
                $"illegal transition accepted: {verb} {where}; allowed: {(allowed.Count == 0 ? $"nothing ({state} is final)" : string.Join(", ", allowed))}; accepted in {string.Join(", ", move.Select(m => $"[{string.Join(", ", m.Run.Sequence.Take(m.Index + 1))}]"))}",
                string.Join("\n\n", move.Select(m => Shown(m.Run, m.Index))),
                $"refuse {verb} {where} with 409 Conflict and a problem+json naming the state; if the move is meant, add it to transitions.{declared.Item}.{state} in the manifest ({declared.Location})"));
        }

        foreach (var move in refused.GroupBy(m => (m.Run.Steps[m.Index].Action, m.State)))
        {
            var (verb, state) = move.Key;
            findings.Add(Findings.Create(JourneyRules.DeclaredTransitionRefused, Severity.Medium, serviceName, action(verb)?.Operation.Name ?? resource.Resource.Item,
                $"a declared transition was refused: {string.Join("; ", move.Select(m => $"{(m.Index == 0 ? $"{verb} on a fresh {noun}" : $"{verb} after [{string.Join(", ", m.Run.Sequence.Take(m.Index))}]")} answered {m.Run.Steps[m.Index].Status.ToString(CultureInfo.InvariantCulture)}"))}",
                string.Join("\n\n", move.Select(m => Shown(m.Run, m.Index))),
                $"transitions.{declared.Item}.{state} allows {verb} ({declared.Location}): accept it in that state, or, if the service is right, take it out of the declaration"));
        }

        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"declared transitions ({declared.Location}): {judged} declared move(s) accepted, {illegal.Count} illegal move(s) accepted, {refused.Count} declared move(s) refused"));
        if (undeclared.Count > 0)
        {
            notes.Add($"not judged, the state has no entry in the declared transitions: {string.Join(", ", undeclared.Distinct(StringComparer.Ordinal))}");
        }

        return notes;
    }
}
