using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Testing;

/// <summary>
/// A run observer that cancels the run once step <paramref name="step"/> is checkpointed: a crash between two steps (or
/// between a snapshot and its restore). Linked into the test projects that run the protocol (they reference Archgate.Core).
/// </summary>
internal sealed class CancelAfterStep(int step, CancellationTokenSource cancel) : IRunObserver
{
    public void StepFinished(StepResult finished)
    {
        if (finished.Number == step)
        {
            cancel.Cancel();
        }
    }
}
