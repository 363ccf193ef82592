using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Performance;

namespace Archgate.Checks.Tests.Performance;

public sealed class LoadAgentProtocolTests
{
    [Fact]
    public void Capture_misses_of_every_agent_add_up_and_keep_a_successful_answer_as_the_sample()
    {
        // Without them on the wire, 'run --agents N' lost every miss the agents counted.
        var first = LoadResults.TwoStages(("POST /orders", 10_000, 20_000, 0)) with
        {
            CaptureMisses = [new CaptureMiss("buy", "step 1", "POST /orders", "order", "JSON property 'id'", 0, 3, "status 503, empty body", ["GET /orders/{order}"])],
        };
        var second = first with
        {
            CaptureMisses = [new CaptureMiss("buy", "step 1", "POST /orders", "order", "JSON property 'id'", 5, 1, """status 201, body: {"orderId":7}""", ["GET /orders/{order}"])],
        };
        var segments = new[] { first, second }.Select(r =>
        {
            var segment = new LoadAgentProtocol.Segment();
            foreach (var line in LoadAgentProtocol.Result(r))
            {
                segment.Read(line);
            }

            return segment;
        }).ToList();

        var merged = LoadAgentProtocol.Merge(new Uri("http://127.0.0.1:7101/"), segments);

        var miss = Assert.Single(merged.CaptureMisses);
        Assert.Equal(("buy", "step 1", "POST /orders", "order", "JSON property 'id'"), (miss.Journey, miss.Request, miss.Route, miss.Variable, miss.From));
        Assert.Equal((5L, 4L, 9L), (miss.AfterSuccess, miss.AfterFailure, miss.Iterations));
        Assert.Equal("""status 201, body: {"orderId":7}""", miss.Sample);
        Assert.Equal(["GET /orders/{order}"], miss.NotSent);
    }
}
