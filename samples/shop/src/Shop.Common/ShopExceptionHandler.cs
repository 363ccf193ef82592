using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Shop.Common;

/// <summary>
/// Turns exceptions into RFC 7807 problems. Clean: a status and a short title, never internals.
/// With <c>verbose-errors</c>: the naive handler that answers 500 with the exception text and stack trace.
/// </summary>
internal sealed class ShopExceptionHandler(
    IProblemDetailsService problems, FaultSwitches faults, ILogger<ShopExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (faults.IsOn(FaultSwitches.VerboseErrors))
        {
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = exception.GetType().FullName,
                Detail = exception.ToString(),
            };
        }
        else
        {
            problem = exception switch
            {
                BadHttpRequestException bad => new ProblemDetails
                {
                    Status = bad.StatusCode,
                    Title = "The request is malformed.",
                    Detail = "The request body or a parameter could not be read.",
                },
                ServiceUnavailableException unavailable => new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The service is temporarily unavailable.",
                    Detail = unavailable.Message,
                },
                _ => new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "An unexpected error occurred.",
                },
            };
        }

        if (problem.Status >= 500)
        {
            ShopLog.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }
}

/// <summary>A dependency (connection pool, downstream service) could not serve the request in time: 503.</summary>
public sealed class ServiceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServiceUnavailableException() { }

    /// <summary>Creates the exception with a message a client may read.</summary>
    public ServiceUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ServiceUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
