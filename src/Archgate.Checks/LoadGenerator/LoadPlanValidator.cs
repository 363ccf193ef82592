using System.Text.RegularExpressions;

namespace Archgate.Checks.LoadGenerator;

/// <summary>Checks a <see cref="LoadPlan"/> before anything is sent; reports every problem at once.</summary>
internal static partial class LoadPlanValidator
{
    private static readonly string[] BuiltInVariables = ["vu", "iteration", "uuid"];

    public static IReadOnlyList<string> Validate(LoadPlan plan)
    {
        var errors = new List<string>();
        var target = plan.Target;
        if (!target.IsAbsoluteUri || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"target '{target}': not an absolute http or https URL; hint: write it as http://127.0.0.1:8080");
        }
        else if (!plan.AllowedHosts.Allows(target.Host))
        {
            errors.Add($"target '{target}': host '{target.Host}' is not in the allow-list ({string.Join(", ", plan.AllowedHosts.Entries)}); hint: load goes only to allowed hosts, add it on purpose with --allow {target.Host}");
        }

        if (plan.Transport == LoadTransport.RawHttp1 && target.IsAbsoluteUri && target.Scheme == Uri.UriSchemeHttps)
        {
            errors.Add("transport: the raw HTTP/1.1 client speaks plain http only; hint: use transport Auto or HttpClient for https");
        }

        if (plan.Stages.Count == 0)
        {
            errors.Add("stages: none; hint: add at least one stage, e.g. LoadProfiles.Constant(50, 10 s)");
        }

        for (var i = 0; i < plan.Stages.Count; i++)
        {
            var s = plan.Stages[i];
            if (s.Duration <= TimeSpan.Zero)
            {
                errors.Add($"stages[{i}] '{s.Name}': duration must be positive");
            }

            if (s.Target < 0 || double.IsNaN(s.Target) || double.IsInfinity(s.Target))
            {
                errors.Add($"stages[{i}] '{s.Name}': target {s.Target} must be a finite number >= 0");
            }

            if (s.RampUp < TimeSpan.Zero || s.RampUp > s.Duration)
            {
                errors.Add($"stages[{i}] '{s.Name}': rampUp must be between 0 and the stage duration");
            }
        }

        if (plan.RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add("requestTimeout: must be positive");
        }

        if (plan.GracefulStop < TimeSpan.Zero)
        {
            errors.Add("gracefulStop: must not be negative");
        }

        if (plan.Model == LoadModel.OpenArrivalRate && plan.MaxConcurrency < 1)
        {
            errors.Add("maxConcurrency: must be at least 1 in the open model");
        }

        if (plan.Journeys.Count == 0)
        {
            errors.Add("journeys: none; hint: add at least one request");
        }

        for (var j = 0; j < plan.Journeys.Count; j++)
        {
            var journey = plan.Journeys[j];
            if (journey.Weight < 1)
            {
                errors.Add($"journeys[{j}] '{journey.Name}': weight must be at least 1");
            }

            if (journey.Steps.Count == 0)
            {
                errors.Add($"journeys[{j}] '{journey.Name}': no steps");
            }

            var known = new HashSet<string>(BuiltInVariables, StringComparer.Ordinal);
            var requests = journey.Setup.Select((r, i) => (r, $"setup[{i}]")).Concat(journey.Steps.Select((r, i) => (r, $"steps[{i}]")));
            foreach (var (request, where) in requests)
            {
                var at = $"journeys[{j}] '{journey.Name}' {where}";
                if (string.IsNullOrWhiteSpace(request.Method) || request.Method.Any(c => c is ' ' or '\r' or '\n'))
                {
                    errors.Add($"{at}: method '{request.Method}' is not a valid HTTP method");
                }

                if (!request.Path.StartsWith('/') || request.Path.Any(c => c is ' ' or '\r' or '\n'))
                {
                    errors.Add($"{at}: path '{request.Path}' must start with '/' and contain no spaces or line breaks; hint: percent-encode spaces as %20");
                }

                foreach (var header in request.Headers)
                {
                    if (header.Key.Length == 0 || header.Key.Any(c => c is ':' or ' ' or '\r' or '\n') || header.Value.Any(c => c is '\r' or '\n'))
                    {
                        errors.Add($"{at}: header '{header.Key}' is malformed; hint: write it as 'Name: value'");
                    }
                }

                var texts = new[] { request.Path }.Concat(request.Headers.Select(h => h.Value));
                foreach (Match m in texts.SelectMany(t => VariablePattern().Matches(t)))
                {
                    var name = m.Groups[1].Value;
                    if (!known.Contains(name))
                    {
                        errors.Add($"{at}: variable '{{{name}}}' is never captured before it is used; hint: capture it in an earlier step or the journey's setup");
                    }
                }

                foreach (var capture in request.Captures)
                {
                    known.Add(capture.Variable);
                }
            }
        }

        return errors;
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    internal static partial Regex VariablePattern();
}
