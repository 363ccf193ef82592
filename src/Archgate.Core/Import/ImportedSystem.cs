namespace Archgate.Import;

/// <summary>What 'archgate init --from' understood of a system description, before it is written as archgate.yaml.</summary>
internal sealed class ImportedSystem
{
    /// <summary>The system's name (the compose project, the folder, the Helm release).</summary>
    public required string Name { get; init; }

    /// <summary>What the description was, for the manifest's first comment ("docker-compose.yml (Docker Compose)").</summary>
    public required string Source { get; init; }

    public List<ImportedComponent> Components { get; } = [];

    /// <summary>Remarks about the whole file (skipped resources, one-shot jobs), written at the top.</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>One component as inferred; every value that could not be inferred carries its reason.</summary>
internal sealed class ImportedComponent
{
    public required string Name { get; init; }

    /// <summary>service, database, frontend; null when Archgate cannot check this kind (redis, rabbitmq, mysql): written commented out.</summary>
    public string? Kind { get; set; }

    /// <summary>Why the component is written commented out (its kind is not one Archgate checks).</summary>
    public string? Unsupported { get; set; }

    /// <summary>Where it came from ("image postgres:16", "project ../Api/Api.csproj").</summary>
    public string? Origin { get; set; }

    public string? Url { get; set; }

    /// <summary>Set when <see cref="Url"/> is a placeholder: the reason it could not be inferred.</summary>
    public string? UrlTodo { get; set; }

    /// <summary>How to reach it from this machine ("kubectl port-forward svc/api 8080:80").</summary>
    public string? Reach { get; set; }

    public string? Health { get; set; }

    /// <summary>The OpenAPI document found by discovery, relative to the manifest.</summary>
    public string? OpenApi { get; set; }

    /// <summary>Why there is no <see cref="Health"/>, or why the one given is a guess.</summary>
    public string? HealthTodo { get; set; }

    public string? Engine { get; set; }

    public string? Connection { get; set; }

    /// <summary>Remarks on the connection (the password left to the environment).</summary>
    public string? ConnectionTodo { get; set; }

    /// <summary>Dependencies with an optional remark each ("compose waits until db is healthy").</summary>
    public List<(string Name, string? Note)> DependsOn { get; } = [];

    public ImportedRun? Run { get; set; }

    /// <summary>Why there is no run section.</summary>
    public string? RunTodo { get; set; }

    /// <summary>Further remarks written above the component.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Host names this component's environment mentions (URLs, connection strings), turned into edges once every component is known.</summary>
    public List<string> MentionedHosts { get; } = [];

    public void DependOn(string name, string? note)
    {
        if (name != Name && !DependsOn.Any(d => d.Name == name))
        {
            DependsOn.Add((name, note));
        }
    }
}

/// <summary>A run section: the command, its environment and how readiness is seen.</summary>
internal sealed record ImportedRun(string Command)
{
    public string? ReadyHttp { get; init; }

    public int? ReadyTcp { get; init; }

    /// <summary>A line of the component's output that says it is ready, when no port can tell.</summary>
    public string? ReadyLog { get; init; }

    public IReadOnlyList<(string Key, string Value)> Env { get; init; } = [];

    /// <summary>Remarks on the run section (the environment Aspire would inject).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
