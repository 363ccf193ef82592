using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Step 2: live OpenAPI conformance of one provider. Every operation of its document is called (examples
/// first, then boundary values, then invalid inputs; dependent operations use resources the run created) and
/// every answer is checked against the document: status, content type, body schema, headers, error format.
/// Metrics: <c>contract_mismatch_rate</c> (failed / tested operations) and the counts.
/// </summary>
/// <remarks>The document comes from <paramref name="documents"/>, loaded once for the run and shared with
/// <see cref="OpenApiDocumentCheck"/>; the bounds are <paramref name="options"/> with the manifest's
/// <c>openapi.conformance</c> over them.</remarks>
internal sealed class ConformanceCheck(HttpComponent component, ConformanceOptions? options = null, ContractDocuments? documents = null) : ICheck
{
    private readonly ConformanceOptions _options = (options ?? new ConformanceOptions()).With(component.OpenApi?.Conformance);
    private readonly ContractDocuments _documents = documents ?? new ContractDocuments();

    public string Id => $"contracts.conformance:{component.Name}";

    public int Step => 2;

    public string Title => $"{component.Name} answers as its OpenAPI contract says";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var spec = component.OpenApi!;
        context.Activity?.Report($"reading {Path.GetFileName(spec.Path)}");
        var loaded = await _documents.LoadAsync(spec.Path, cancellationToken);
        if (!loaded.Succeeded)
        {
            var first = loaded.Errors.Count > 0 ? loaded.Errors[0].ToString() : "it is not an OpenAPI document";
            var more = loaded.Errors.Count > 1 ? $" (and {loaded.Errors.Count - 1} more errors)" : "";
            return CheckResult.Skipped($"the OpenAPI document of {component.Name} cannot be checked against: {first}{more}");
        }

        try
        {
            Nullable30.Apply(await File.ReadAllTextAsync(spec.Path, cancellationToken), loaded.Document!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The document loaded a moment ago; without its text only 3.0 nullable-without-type is read less exactly.
        }

        var session = new ConformanceSession(component, loaded.Document!, context, _options);
        return await session.RunAsync(cancellationToken);
    }
}
