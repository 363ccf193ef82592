using System.Globalization;

namespace Archgate.Model;

/// <summary>Hand-written parser for k6-style thresholds, so every error can point at its column (the manifest loader and <c>archgate load</c> share it).</summary>
internal static class ThresholdParser
{
    private static readonly Dictionary<string, string[]> Aggregations = new(StringComparer.Ordinal)
    {
        ["http_req_duration"] = ["p", "avg", "med", "max"],
        ["http_req_failed"] = ["rate"],
        ["http_req_late"] = ["rate"],
        ["http_reqs"] = ["count", "rate"],
        ["data_sent"] = ["count", "rate"],
        ["data_received"] = ["count", "rate"],
        ["iterations"] = ["count", "rate"],
    };

    public static bool TryParse(string text, out ThresholdSpec? threshold, out ThresholdSyntaxError? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        threshold = null;
        var p = new Cursor(text);
        p.SkipSpaces();

        var metricAt = p.Position;
        var metric = p.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        if (metric.Length == 0)
        {
            error = p.Error("expected a metric name", "start with one of " + string.Join(", ", Aggregations.Keys));
            return false;
        }

        if (!Aggregations.TryGetValue(metric, out var allowed))
        {
            error = new ThresholdSyntaxError(text, metricAt, $"unknown metric '{metric}'", "use one of " + string.Join(", ", Aggregations.Keys));
            return false;
        }

        string? route = null, stage = null;
        if (p.Peek == '{')
        {
            p.Advance();
            while (true)
            {
                p.SkipSpaces();
                var keyAt = p.Position;
                var key = p.TakeWhile(char.IsAsciiLetter);
                if (key is not ("route" or "stage"))
                {
                    error = new ThresholdSyntaxError(text, keyAt, key.Length == 0 ? "expected a tag name" : $"unknown tag '{key}'", "tags are route and stage, e.g. {route:GET /orders/{id},stage:stress}");
                    return false;
                }

                if (metric == "iterations")
                {
                    error = new ThresholdSyntaxError(text, keyAt, "iterations has no tags", "write iterations: count>100");
                    return false;
                }

                p.SkipSpaces();
                if (p.Peek != ':')
                {
                    error = p.Error($"expected ':' after tag '{key}'", $"write {{{key}:value}}");
                    return false;
                }

                p.Advance();
                var value = p.TakeTagValue().Trim();
                if (value.Length == 0)
                {
                    error = p.Error($"tag '{key}' has no value", key == "route" ? "write the route as reported, e.g. {route:GET /orders/{id}}" : "write the stage name, e.g. {stage:stress}");
                    return false;
                }

                if (key == "route")
                {
                    route = value;
                }
                else
                {
                    stage = value;
                }

                if (p.Peek == ',')
                {
                    p.Advance();
                    continue;
                }

                if (p.Peek == '}')
                {
                    p.Advance();
                    break;
                }

                error = p.Error("unclosed tag list", "close the tags with '}'");
                return false;
            }
        }

        p.SkipSpaces();
        if (p.Peek != ':')
        {
            error = p.Error("expected ':' after the metric", $"write {metric}: {Example(metric)}");
            return false;
        }

        p.Advance();
        p.SkipSpaces();
        var aggregationAt = p.Position;
        var aggregation = p.TakeWhile(char.IsAsciiLetter);
        var percentile = 0.0;
        if (aggregation == "p")
        {
            if (p.Peek != '(')
            {
                error = p.Error("expected '(' after p", "write a percentile as p(95)");
                return false;
            }

            p.Advance();
            var numberAt = p.Position;
            var number = p.TakeWhile(c => char.IsAsciiDigit(c) || c == '.');
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out percentile) || percentile < 0 || percentile > 100)
            {
                error = new ThresholdSyntaxError(text, numberAt, "expected a percentile between 0 and 100", "write p(95) or p(99.9)");
                return false;
            }

            if (p.Peek != ')')
            {
                error = p.Error("expected ')'", "write p(95)");
                return false;
            }

            p.Advance();
        }

        if (!allowed.Contains(aggregation))
        {
            var shown = string.Join(", ", allowed.Select(a => a == "p" ? "p(N)" : a));
            error = new ThresholdSyntaxError(text, aggregationAt, aggregation.Length == 0 ? "expected an aggregation" : $"{metric} has no aggregation '{aggregation}'", $"{metric} takes {shown}, e.g. {metric}: {Example(metric)}");
            return false;
        }

        p.SkipSpaces();
        var opAt = p.Position;
        var opText = p.TakeWhile(c => c is '<' or '>' or '=' or '!');
        ThresholdComparison? op = opText switch
        {
            "<" => ThresholdComparison.LessThan,
            "<=" => ThresholdComparison.LessThanOrEqual,
            ">" => ThresholdComparison.GreaterThan,
            ">=" => ThresholdComparison.GreaterThanOrEqual,
            "==" => ThresholdComparison.Equal,
            "!=" => ThresholdComparison.NotEqual,
            _ => null,
        };
        if (op is null)
        {
            error = new ThresholdSyntaxError(text, opAt, opText.Length == 0 ? "expected a comparison" : $"unknown comparison '{opText}'", "use <, <=, >, >=, == or !=");
            return false;
        }

        p.SkipSpaces();
        var limitAt = p.Position;
        var limitText = p.TakeWhile(c => char.IsAsciiDigit(c) || c is '.' or '-' or 'e' or 'E' or '+');
        if (!double.TryParse(limitText, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit))
        {
            error = new ThresholdSyntaxError(text, limitAt, "expected a number", $"write {metric}: {Example(metric)}");
            return false;
        }

        var unitAt = p.Position;
        var unit = p.TakeWhile(char.IsAsciiLetter);
        if (unit.Length > 0)
        {
            if (metric != "http_req_duration" || unit is not ("ms" or "s"))
            {
                error = new ThresholdSyntaxError(text, unitAt, $"unexpected unit '{unit}'", metric == "http_req_duration" ? "durations are in ms; 'ms' or 's' may follow the number" : $"{metric} takes a plain number");
                return false;
            }

            if (unit == "s")
            {
                limit *= 1000;
            }
        }

        p.SkipSpaces();
        if (!p.AtEnd)
        {
            error = p.Error("unexpected text after the threshold", "write one comparison per threshold; give several thresholds for several limits");
            return false;
        }

        threshold = new ThresholdSpec(text.Trim(), metric, route, stage, aggregation, percentile, op.Value, limit);
        error = null;
        return true;
    }

    private static string Example(string metric) => metric switch
    {
        "http_req_duration" => "p(95)<200",
        "http_req_failed" or "http_req_late" => "rate<0.01",
        _ => "rate>100",
    };

    private sealed class Cursor(string text)
    {
        public int Position { get; private set; }

        public char Peek => Position < text.Length ? text[Position] : '\0';

        public bool AtEnd => Position >= text.Length;

        public void Advance() => Position++;

        public void SkipSpaces()
        {
            while (Position < text.Length && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public string TakeWhile(Func<char, bool> accept)
        {
            var start = Position;
            while (Position < text.Length && accept(text[Position]))
            {
                Position++;
            }

            return text[start..Position];
        }

        /// <summary>A tag value runs to the next ',' or '}' outside braces, so <c>GET /orders/{id}</c> stays whole.</summary>
        public string TakeTagValue()
        {
            var start = Position;
            var depth = 0;
            while (Position < text.Length)
            {
                var c = text[Position];
                if (c == '{')
                {
                    depth++;
                }
                else if (c == '}')
                {
                    if (depth == 0)
                    {
                        break;
                    }

                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    break;
                }

                Position++;
            }

            return text[start..Position];
        }

        public ThresholdSyntaxError Error(string message, string hint) => new(text, Math.Min(Position, text.Length), message, hint);
    }
}
