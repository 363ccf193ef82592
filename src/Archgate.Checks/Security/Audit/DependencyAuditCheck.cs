using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Audit;

/// <summary>Options of step 9's dependency audit.</summary>
public sealed record DependencyAuditOptions
{
    /// <summary>An OSV database given on the command line, over <c>security.audit.osvDb</c>. <value>null</value>.</summary>
    public string? OsvDatabase { get; init; }

    /// <summary>Time allowed for each <c>dotnet list package</c>. <value>2 min</value>.</summary>
    public TimeSpan DotNetTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Step 9's dependency audit, as <c>npm audit</c>, <c>pip-audit</c> and <c>dotnet list package --vulnerable</c> do it
/// but offline: the packages of the manifest's .NET projects, npm lockfiles and pinned Python requirements, matched
/// against an OSV database the user supplies (OSV ranges with each ecosystem's version order, aliases). Without a
/// database the audit is not evaluated, with the reason: never passed.
/// </summary>
internal sealed class DependencyAuditCheck(DependencyAuditOptions options) : ICheck
{
    public string Id => "security.dependencies";

    public int Step => 9;

    public string Title => "No dependency with a known vulnerability (OSV)";

    public Applicability AppliesTo(SystemModel system) => system.Security.Audit.Any
        ? Applicability.Yes
        : Applicability.No("no dependency manifest named (security.audit: dotnet, npm, python, go, cargo, ruby, maven, composer)");

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var audit = context.System.Security.Audit;
        var database = options.OsvDatabase ?? audit.OsvDatabase;
        if (database is null || (!Directory.Exists(database) && !File.Exists(database)))
        {
            return CheckResult.Skipped(database is null
                ? "not evaluated: no OSV database (set security.audit.osvDb to a folder or an ecosystem's all.zip export)"
                : $"not evaluated: the OSV database {database} does not exist");
        }

        var findings = new List<Finding>();
        var packages = new List<InstalledPackage>();
        foreach (var lockfile in audit.Npm)
        {
            Read(() => packages.AddRange(Inventory.Npm(lockfile)), lockfile, findings);
        }

        foreach (var requirements in audit.Python)
        {
            Read(() => packages.AddRange(Pinned(Inventory.Python(requirements), requirements, findings,
                n => $"{n} requirement{(n == 1 ? " is" : "s are")} not pinned (name==version)",
                "pin every requirement (pip freeze, pip-compile) so the audit knows the versions deployed")), requirements, findings);
        }

        foreach (var sums in audit.Go)
        {
            Read(() => packages.AddRange(Inventory.Go(sums)), sums, findings);
        }

        foreach (var lockfile in audit.Cargo)
        {
            Read(() => packages.AddRange(Inventory.Cargo(lockfile)), lockfile, findings);
        }

        foreach (var lockfile in audit.Ruby)
        {
            Read(() => packages.AddRange(Inventory.Ruby(lockfile)), lockfile, findings);
        }

        foreach (var build in audit.Maven)
        {
            Read(() => packages.AddRange(Pinned(Inventory.Maven(build), build, findings,
                n => $"{n} dependenc{(n == 1 ? "y has" : "ies have")} no version this file settles",
                "a version from a parent POM or a BOM is not read: name the version in the pom.xml's dependencyManagement, or audit a gradle.lockfile")), build, findings);
        }

        foreach (var lockfile in audit.Composer)
        {
            Read(() => packages.AddRange(Inventory.Composer(lockfile)), lockfile, findings);
        }

        foreach (var project in audit.DotNet)
        {
            context.Activity?.Report($"dotnet list {Path.GetFileName(project)} package --include-transitive");
            var (found, problem) = await Inventory.DotNetAsync(project, options.DotNetTimeout, cancellationToken);
            packages.AddRange(found);
            if (problem is not null)
            {
                findings.Add(NotRead(project, problem));
            }
        }

        var osv = OsvDatabase.Load(database);
        foreach (var package in packages.Distinct())
        {
            foreach (var (advisory, fix) in osv.Affecting(package.Ecosystem, package.Name, package.Version))
            {
                findings.Add(Findings.Create(PassiveRules.VulnerableDependency, SeverityOf(advisory.Severity),
                    component: null,
                    location: package.Source,
                    message: $"{package.Name} {package.Version} ({package.Ecosystem}) is affected by {advisory.Id}" +
                        (advisory.Aliases.Count > 0 ? $" ({string.Join(", ", advisory.Aliases)})" : string.Empty) + $": {advisory.Summary}",
                    evidence: fix is null ? "no fixed version known" : $"fixed in {fix}",
                    hint: fix is null ? "no fix is published: replace the package or mitigate" : $"upgrade {package.Name} to {fix} or later"));
            }
        }

        return CheckResult.From(findings,
        [
            new Metric("security_dependencies_audited", new Dictionary<string, string>(), packages.Distinct().Count(), "count"),
            new Metric("security_osv_records", new Dictionary<string, string>(), osv.Count, "count"),
        ]);
    }

    /// <summary>GitHub's severity words; unknown is high (a known vulnerability is never waved through).</summary>
    internal static Severity SeverityOf(string? word) => word?.ToUpperInvariant() switch
    {
        "CRITICAL" => Severity.Critical,
        "MODERATE" or "MEDIUM" => Severity.Medium,
        "LOW" => Severity.Low,
        _ => Severity.High,
    };

    /// <summary>The pinned packages; the rest reported as not audited (low).</summary>
    private static IReadOnlyList<InstalledPackage> Pinned(
        (IReadOnlyList<InstalledPackage> Pinned, IReadOnlyList<string> Unpinned) read, string file, List<Finding> findings, Func<int, string> what, string hint)
    {
        if (read.Unpinned.Count > 0)
        {
            findings.Add(Findings.Create(PassiveRules.DependencyNotAudited, Severity.Low,
                component: null,
                location: file,
                message: $"{what(read.Unpinned.Count)}, so not audited: {string.Join(", ", read.Unpinned.Take(5))}",
                hint: hint));
        }

        return read.Pinned;
    }

    private static void Read(Action read, string file, List<Finding> findings)
    {
        try
        {
            read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or System.Xml.XmlException)
        {
            findings.Add(NotRead(file, ex.Message));
        }
    }

    private static Finding NotRead(string file, string problem) => Findings.Create(PassiveRules.DependencyNotAudited, Severity.Medium,
        component: null,
        location: file,
        message: $"{Path.GetFileName(file)} could not be audited: {problem}",
        hint: "restore the project (dotnet restore) or fix the file; its packages are unknown until then");
}
