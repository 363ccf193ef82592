using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>What lies outside the paths: webhooks, component schemas and security schemes.</summary>
internal static class DocumentComparer
{
    public static void Compare(ChangeSink sink, OpenApiDocument o, OpenApiDocument n)
    {
        var oldHooks = o.Webhooks ?? new Dictionary<string, IOpenApiPathItem>();
        var newHooks = n.Webhooks ?? new Dictionary<string, IOpenApiPathItem>();
        foreach (var name in oldHooks.Keys.Where(k => !newHooks.ContainsKey(k)))
        {
            sink.Add(DiffRules.WebhookRemoved, $"webhook {name}", "webhooks", $"webhook {name} was removed", name, null);
        }

        foreach (var name in newHooks.Keys.Where(k => !oldHooks.ContainsKey(k)))
        {
            sink.Add(DiffRules.WebhookAdded, $"webhook {name}", "webhooks", $"webhook {name} was added", null, name);
        }

        var oldSchemas = o.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        var newSchemas = n.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var name in oldSchemas.Keys.Where(k => !newSchemas.ContainsKey(k)))
        {
            sink.Add(DiffRules.ComponentSchemaRemoved, "components", $"components.schemas.{name}", $"schema {name} was removed from the components", name, null);
        }

        var oldSchemes = o.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>();
        var newSchemes = n.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var (name, scheme) in oldSchemes)
        {
            if (!newSchemes.TryGetValue(name, out var newScheme))
            {
                sink.Add(DiffRules.SecuritySchemeRemoved, "components", $"components.securitySchemes.{name}", $"security scheme {name} was removed", name, null);
            }
            else if (scheme.Type != newScheme.Type)
            {
                sink.Add(DiffRules.SecuritySchemeTypeChanged, "components", $"components.securitySchemes.{name}",
                    $"the type of security scheme {name} changed from {scheme.Type} to {newScheme.Type}", scheme.Type?.ToString(), newScheme.Type?.ToString());
            }
        }

        foreach (var name in newSchemes.Keys.Where(k => !oldSchemes.ContainsKey(k)))
        {
            sink.Add(DiffRules.SecuritySchemeAdded, "components", $"components.securitySchemes.{name}", $"security scheme {name} was added", null, name);
        }
    }
}
