using System.Text.Json;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>run.json: the public data contract, documented in docs/run-json.md.</summary>
public sealed class JsonReporter : IReporter
{
    /// <inheritdoc />
    public string Name => "json";

    /// <inheritdoc />
    public string FileName => "run.json";

    /// <inheritdoc />
    public async Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken)
    {
        await JsonSerializer.SerializeAsync(output, run, ArchgateJson.Options, cancellationToken);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
    }
}
