using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shop.Common;

/// <summary>What every shop process shares: content root, fault switches, error handling, headers, health.</summary>
public static class ShopHost
{
    /// <summary>
    /// A builder whose content root is the folder of the dll, so a process finds its files whatever the
    /// working directory its runner chose.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        var faults = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]);
        builder.Services.AddSingleton(faults);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // RFC 7807: a problem without a more specific type is "about:blank".
            ctx.ProblemDetails.Type ??= "about:blank";
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier);
        });
        builder.Services.AddExceptionHandler<ShopExceptionHandler>();
        // Malformed request bodies reach the exception handler, which decides how much to tell.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddHealthChecks();
        return builder;
    }

    /// <summary>A setting that has no committed default: its absence stops the process with a hint.</summary>
    /// <exception cref="InvalidOperationException">The setting is missing.</exception>
    public static string RequireSetting(this IConfiguration configuration, string name, string hint)
    {
        var value = configuration[name];
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException($"{name} is not set. {hint}")
            : value;
    }

    /// <summary>
    /// A duration given in whole milliseconds (<c>NAME_MS</c> settings), or <paramref name="fallback"/> when unset. Tests
    /// shorten the shop's waits this way; the defaults are the sample's own.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting is not a positive whole number.</exception>
    public static TimeSpan Milliseconds(this IConfiguration configuration, string name, TimeSpan fallback) =>
        configuration[name] is not { Length: > 0 } text ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms)
        : throw new InvalidOperationException($"{name} is '{text}'; give a whole number of milliseconds above 0 (default {fallback.TotalMilliseconds:0}).");

    /// <summary>The shared middleware at the front of every pipeline.</summary>
    public static WebApplication UseShopDefaults(this WebApplication app, string contentSecurityPolicy)
    {
        var faults = app.Services.GetRequiredService<FaultSwitches>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Shop.Faults");
        foreach (var fault in faults.Active)
        {
            ShopLog.FaultActive(log, fault);
        }

        if (!faults.IsOn(FaultSwitches.NoSecurityHeaders))
        {
            app.UseMiddleware<SecurityHeadersMiddleware>(contentSecurityPolicy);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Maps <c>/health/live</c> (process up) and <c>/health/ready</c> (every registered check).</summary>
    /// <remarks>
    /// Only GET and HEAD: MapHealthChecks alone answers every method, and the contract documents GET, so
    /// anything else is 405 like every other route (found by Archgate's live conformance check, AG2016).
    /// </remarks>
    public static IEndpointRouteBuilder MapShopHealth(this IEndpointRouteBuilder endpoints)
    {
        var methods = new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]);
        endpoints.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = HealthJson.WriteAsync,
        }).WithMetadata(methods);
        endpoints.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = HealthJson.WriteAsync,
        }).WithMetadata(methods);
        return endpoints;
    }
}
