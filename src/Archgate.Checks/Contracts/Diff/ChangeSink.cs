namespace Archgate.Checks.Contracts.Diff;

/// <summary>Collects the changes of one comparison, in the order they are found.</summary>
internal sealed class ChangeSink
{
    private readonly List<ApiChange> _changes = [];

    public IReadOnlyList<ApiChange> Changes => _changes;

    public void Add(DiffRule rule, string operation, string location, string message, string? oldValue = null, string? newValue = null) =>
        _changes.Add(new ApiChange(rule.Id, rule.Code, rule.Level, operation, location, message, oldValue, newValue, rule.Alias));

    /// <summary>Adds a change whose oasdiff name depends on where it is (the root of a body, a success status...).</summary>
    public void Add(DiffRule rule, string? alias, string operation, string location, string message, string? oldValue, string? newValue) =>
        _changes.Add(new ApiChange(rule.Id, rule.Code, rule.Level, operation, location, message, oldValue, newValue, alias ?? rule.Alias));
}
