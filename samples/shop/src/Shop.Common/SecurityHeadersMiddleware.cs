using Microsoft.AspNetCore.Http;

namespace Shop.Common;

/// <summary>Adds the browser security headers to every response.</summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, string contentSecurityPolicy)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = contentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!headers.ContainsKey("Cross-Origin-Resource-Policy"))
            {
                headers["Cross-Origin-Resource-Policy"] = "same-site"; // an endpoint meant for other sites (the analytics collector) says so itself
            }
            return Task.CompletedTask;
        });
        return next(context);
    }
}
