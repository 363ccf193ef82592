using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Diff;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// Recall against oasdiff: pairs of oasdiff's own documented examples (Oasdiff/README.md), with the findings oasdiff
/// documents for them written down as (operation, oasdiff rule id). Every one must be found, under its oasdiff name.
/// </summary>
public class OasdiffRecallTests(ITestOutputHelper output)
{
    private static readonly FakeTimeProvider Today = new(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));

    public static TheoryData<string, string, string[]> Pairs => new()
    {
        {
            // examples/changelog.md of oasdiff: `oasdiff changelog data/openapi-test1.yaml data/openapi-test3.yaml`.
            "openapi-test1.yaml", "openapi-test3.yaml",
            [
                "GET /api/{domain}/{project}/badges/security-score response-success-status-removed",
                "GET /api/{domain}/{project}/badges/security-score response-success-status-removed",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-removed",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-removed",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-removed",
                "GET /api/{domain}/{project}/badges/security-score api-operation-id-removed",
                "GET /api/{domain}/{project}/badges/security-score api-tag-removed",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-max-length-increased",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-pattern-removed",
                "GET /api/{domain}/{project}/badges/security-score request-parameter-type-generalized",
                "GET /api/{domain}/{project}/badges/security-score response-non-success-status-removed",
                "GET /api/{domain}/{project}/install-command request-parameter-removed",
                "GET /api/{domain}/{project}/install-command new-optional-request-default-parameter-to-existing-path",
                "GET /api/{domain}/{project}/install-command request-parameter-enum-value-added",
                "POST /register api-security-removed",
                "POST /register api-security-scope-added",
                "components api-schema-removed",
                "components api-schema-removed",
                "components api-security-component-removed",
                "components api-security-component-removed",
            ]
        },
        // docs/DEPRECATION.md: deprecating is not breaking; removing before the sunset is; after it, or with no sunset, it is not.
        { "base.yaml", "deprecated-future.yaml", ["GET /api/test endpoint-deprecated-with-sunset"] },
        { "base.yaml", "deprecated-no-sunset.yaml", ["GET /api/test endpoint-deprecated"] },
        { "base.yaml", "removed.yaml", ["GET /api/test api-removed-without-deprecation"] },
        { "deprecated-future.yaml", "removed.yaml", ["GET /api/test api-removed-before-sunset"] },
        { "deprecated-past.yaml", "removed.yaml", ["GET /api/test api-removed-with-deprecation"] },
        { "deprecated-no-sunset.yaml", "removed.yaml", ["GET /api/test api-removed-with-deprecation"] },
        { "deprecated-future.yaml", "deprecated-no-sunset.yaml", ["GET /api/test sunset-deleted"] },
        { "deprecated-future.yaml", "deprecated-past.yaml", ["GET /api/test api-sunset-date-changed-too-small"] },
        { "deprecated-no-sunset.yaml", "base.yaml", ["GET /api/test endpoint-reactivated"] },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Every_finding_oasdiff_documents_for_the_pair_is_found_under_its_oasdiff_name(string oldFile, string newFile, string[] expected)
    {
        var report = await CompareAsync(oldFile, newFile);
        var found = report.Changes.Select(c => $"{c.Operation} {c.Alias}").ToList();

        var missing = new List<string>();
        foreach (var finding in expected)
        {
            if (!found.Remove(finding))
            {
                missing.Add(finding);
            }
        }

        output.WriteLine($"recall {expected.Length - missing.Count}/{expected.Length}; also reported: {string.Join("; ", found)}");
        Assert.True(missing.Count == 0, $"missed:\n{string.Join("\n", missing)}\nreported:\n{DiffTestKit.Show(report)}");
    }

    private static async Task<DiffReport> CompareAsync(string oldFile, string newFile)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Contracts", "Diff", "Oasdiff");
        var old = await ContractDocumentLoader.LoadLenientAsync(Path.Combine(folder, oldFile), CancellationToken.None);
        var @new = await ContractDocumentLoader.LoadLenientAsync(Path.Combine(folder, newFile), CancellationToken.None);
        Assert.True(old.Document is not null && @new.Document is not null, string.Join("; ", old.Errors.Concat(@new.Errors)));
        return ContractDiff.Compare(old.Document, @new.Document, Today);
    }
}
