using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Step 2: live OpenAPI conformance of one provider. Every operation of its document is called (examples
/// first, then boundary values, then invalid inputs; dependent operations use resources the run created) and
/// every answer is checked against the document: status, content type, body schema, headers, error format.
/// Metrics: <c>contract_mismatch_rate</c> (failed / tested operations) and the counts.
/// </summary>
internal sealed class ConformanceCheck(Component component, ConformanceOptions? options = null) : ICheck
{
    private readonly ConformanceOptions _options = options ?? new ConformanceOptions();

    public string Id => $"contracts.conformance:{component.Name}";

    public int Step => 2;

    public string Title => $"{component.Name} answers as its OpenAPI contract says";

    public Applicability AppliesTo(SystemModel system) => component.Url is null
        ? Applicability.No($"{component.Name} has no url to call")
        : Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var spec = component.OpenApi!;
        context.Activity?.Report($"reading {Path.GetFileName(spec.Path)}");
        var loaded = await ContractDocumentLoader.LoadAsync(spec.Path, Nullable30.Mark, cancellationToken);
        if (!loaded.Succeeded)
        {
            return CheckResult.Skipped($"the OpenAPI document of {component.Name} has errors (see contracts.openapi:{component.Name}); nothing to check against");
        }

        var session = new ConformanceSession(component, loaded.Document!, context, _options);
        return await session.RunAsync(cancellationToken);
    }
}
