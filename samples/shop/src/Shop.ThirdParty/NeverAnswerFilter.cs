using Shop.Common;

namespace Shop.ThirdParty;

/// <summary>With <c>gateway-timeout</c> the provider accepts the connection and never answers.</summary>
internal sealed class NeverAnswerFilter(FaultSwitches faults) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!faults.IsOn(FaultSwitches.GatewayTimeout))
        {
            return await next(context);
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.HttpContext.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up, as it should.
        }

        return Results.Empty;
    }
}
