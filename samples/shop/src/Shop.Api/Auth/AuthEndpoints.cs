using System.Security.Claims;

namespace Shop.Api.Auth;

internal sealed record LoginRequest(string? Username, string? Password);

internal sealed record RefreshRequest(string? RefreshToken);

internal static class AuthEndpoints
{
    public static void MapAuth(this WebApplication app)
    {
        var auth = app.MapGroup("/auth");

        auth.MapPost("/login", async (LoginRequest request, TokenService tokens, SignInLimiter limiter, HttpContext http, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password))
            {
                return Validation.Problem(("username", "username and password are required."));
            }

            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (limiter.RetryAfter(request.Username, address) is { } wait)
            {
                var seconds = (int)Math.Ceiling(wait.TotalSeconds);
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: 429, title: "Too many failed sign-ins. Try again later.",
                    detail: $"Sign-ins for this account or from this address are refused for {seconds} s.");
            }

            var issued = await tokens.LoginAsync(request.Username, request.Password, ct);
            if (issued is null)
            {
                limiter.Failed(request.Username, address);
                return Results.Problem(statusCode: 401, title: "Invalid username or password.");
            }

            limiter.Succeeded(request.Username);
            return Results.Ok(issued);
        });

        auth.MapPost("/refresh", async (RefreshRequest request, TokenService tokens, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.RefreshToken))
            {
                return Validation.Problem(("refreshToken", "refreshToken is required."));
            }

            var issued = await tokens.RefreshAsync(request.RefreshToken, ct);
            return issued is null
                ? Results.Problem(statusCode: 401, title: "The refresh token is invalid, expired, rotated or revoked.")
                : Results.Ok(issued);
        });

        auth.MapPost("/logout", async (RefreshRequest request, TokenService tokens, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.RefreshToken))
            {
                return Validation.Problem(("refreshToken", "refreshToken is required."));
            }

            await tokens.LogoutAsync(request.RefreshToken, ct);
            return Results.NoContent();
        });

        auth.MapOidcSignIn();

        auth.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(CurrentUser.From(user))).RequireAuthorization();
    }
}

/// <summary>The caller as the access token names them.</summary>
internal static class CurrentUser
{
    public static UserInfo From(ClaimsPrincipal principal) => new(
        long.Parse(principal.FindFirstValue("sub") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        principal.FindFirstValue("name") ?? "",
        principal.FindFirstValue("role") ?? "");

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole("admin");
}

/// <summary>400 answers in the RFC 7807 validation shape.</summary>
internal static class Validation
{
    public static IResult Problem(params (string Field, string Message)[] errors) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: "The request is invalid.");
}
