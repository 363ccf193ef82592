using Archgate.Checks.Security.Sarif;
using Archgate.Reporting;

namespace Archgate.Checks;

/// <summary>The reports a run writes: Core's (run.json, Markdown, JUnit) and step 9's SARIF, which needs the security rules' catalogue.</summary>
public static class ArchgateReports
{
    /// <summary>Every reporter, in the order they are written.</summary>
    public static IReadOnlyList<IReporter> All { get; } = [.. Reporters.Default, new SarifReporter()];

    /// <summary>The reporter for a <c>--format</c> value, or null.</summary>
    public static IReporter? Find(string name) => All.FirstOrDefault(r => r.Name == name);
}
