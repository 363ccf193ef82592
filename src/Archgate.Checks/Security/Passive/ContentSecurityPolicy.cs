namespace Archgate.Checks.Security.Passive;

/// <summary>What a policy governs: an HTML page (a document), or a worker (the policy of the script a worker runs).</summary>
internal enum CspScope
{
    /// <summary>A document: every fetch directive counts, and the directives without fallback.</summary>
    Page,

    /// <summary>A worker: it has no markup, styles or plugins, so only where its code may come from and eval count.</summary>
    Worker,
}

/// <summary>A parsed Content-Security-Policy (CSP Level 3): directives by name, their source lists, and its weaknesses.</summary>
internal sealed class ContentSecurityPolicy
{
    private readonly Dictionary<string, List<string>> _directives = new(StringComparer.OrdinalIgnoreCase);

    private ContentSecurityPolicy()
    {
    }

    /// <summary>Parses one or more policies (several headers all apply; the first occurrence of a directive wins within one).</summary>
    public static ContentSecurityPolicy Parse(IEnumerable<string> headers)
    {
        var policy = new ContentSecurityPolicy();
        foreach (var header in headers)
        {
            foreach (var part in header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var tokens = part.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (tokens.Length > 0 && !policy._directives.ContainsKey(tokens[0]))
                {
                    policy._directives[tokens[0]] = tokens.Skip(1).ToList();
                }
            }
        }

        return policy;
    }

    /// <summary>Whether the policy has the directive.</summary>
    public bool Has(string directive) => _directives.ContainsKey(directive);

    /// <summary>The sources of a fetch directive, falling back to default-src; null when neither is set.</summary>
    public IReadOnlyList<string>? Effective(string directive) =>
        _directives.TryGetValue(directive, out var s) ? s
        : directive.StartsWith("script-src-", StringComparison.Ordinal) && _directives.TryGetValue("script-src", out var sc) ? sc
        : directive.StartsWith("style-src-", StringComparison.Ordinal) && _directives.TryGetValue("style-src", out var st) ? st
        : _directives.TryGetValue("default-src", out var d) ? d : null;

    /// <summary>What makes the policy weak for what it governs (<paramref name="scope"/>), one sentence each.</summary>
    public IReadOnlyList<string> Weaknesses(CspScope scope)
    {
        var html = scope == CspScope.Page;
        var weak = new List<string>();
        foreach (var directive in html ? ["script-src", "style-src"] : new[] { "script-src" })
        {
            var sources = Effective(directive);
            if (sources is null)
            {
                if (html && directive == "script-src")
                {
                    weak.Add("no script-src and no default-src: scripts may come from anywhere");
                }

                continue;
            }

            var lower = sources.Select(s => s.ToLowerInvariant()).ToList();
            var nonceOrHash = lower.Any(s => s.StartsWith("'nonce-", StringComparison.Ordinal) || s.StartsWith("'sha", StringComparison.Ordinal));
            if (html && lower.Contains("'unsafe-inline'") && !(directive == "script-src" && nonceOrHash)) // a worker has no inline code
            {
                weak.Add($"{directive} allows 'unsafe-inline'");
            }

            if (directive == "script-src" && lower.Contains("'unsafe-eval'"))
            {
                weak.Add("script-src allows 'unsafe-eval'");
            }

            var wild = lower.Where(s => s is "*" or "http:" or "https:" or "data:" or "blob:" || s.StartsWith("*.", StringComparison.Ordinal) || s.EndsWith("://*", StringComparison.Ordinal)).ToList();
            if (wild.Count > 0 && !(directive == "style-src" && wild.All(w => w is "data:" or "blob:")))
            {
                weak.Add($"{directive} allows {string.Join(" ", wild)}");
            }
        }

        if (html && Effective("object-src") is { } objects && objects.Any(s => s is "*" or "http:" or "https:" or "data:"))
        {
            weak.Add($"object-src allows {string.Join(" ", objects)}");
        }

        if (html)
        {
            foreach (var directive in new[] { "frame-ancestors", "form-action" })
            {
                if (!Has(directive))
                {
                    weak.Add($"no {directive} (it has no fallback to default-src)");
                }
                else if (_directives[directive].Any(s => s == "*"))
                {
                    weak.Add($"{directive} allows *");
                }
            }
        }

        return weak;
    }
}
