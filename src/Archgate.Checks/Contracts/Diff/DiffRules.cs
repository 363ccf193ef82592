namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// The breaking-change catalogue: every rule <see cref="ContractDiff"/> can report, with its stable id, code and level.
/// docs/contract-diff.md documents each one with an example and how to mend it.
/// </summary>
/// <remarks>
/// Codes: AG21xx paths and operations, AG22xx parameters, AG23xx request bodies, AG24xx responses, AG25xx security;
/// schema rules repeat one list of kinds per place: AG26xx request parameters, AG27xx request bodies,
/// AG28xx response bodies, AG29xx response headers (same last two digits for the same kind).
/// </remarks>
public static class DiffRules
{
    private const ChangeLevel Err = ChangeLevel.Err;
    private const ChangeLevel Warn = ChangeLevel.Warn;
    private const ChangeLevel Info = ChangeLevel.Info;

    // Paths and operations.
    internal static readonly DiffRule PathRemoved = new("api-path-removed-without-deprecation", "AG2101", Err, "A path (with all its operations) was removed without being deprecated first.");
    internal static readonly DiffRule PathRemovedDeprecated = new("api-path-removed-with-deprecation", "AG2102", Info, "A path whose operations were all deprecated was removed.");
    internal static readonly DiffRule OperationRemoved = new("api-removed-without-deprecation", "AG2103", Err, "An operation was removed from a path that still exists, without being deprecated first.");
    internal static readonly DiffRule OperationRemovedDeprecated = new("api-removed-with-deprecation", "AG2104", Info, "A deprecated operation was removed.");
    internal static readonly DiffRule PathAdded = new("api-path-added", "AG2105", Info, "A new path (with its operations) was added.");
    internal static readonly DiffRule OperationAdded = new("endpoint-added", "AG2106", Info, "A new operation was added to an existing path.");
    internal static readonly DiffRule OperationDeprecated = new("endpoint-deprecated", "AG2107", Info, "An operation was marked deprecated.");
    internal static readonly DiffRule OperationReactivated = new("endpoint-reactivated", "AG2108", Info, "An operation is no longer deprecated.");
    internal static readonly DiffRule OperationIdChanged = new("api-operation-id-changed", "AG2109", Warn, "The operationId changed or was removed; generated clients rename their method.");
    internal static readonly DiffRule OperationIdAdded = new("api-operation-id-added", "AG2110", Info, "An operationId was given to an operation that had none.");
    internal static readonly DiffRule PathParameterRenamed = new("api-path-parameter-renamed", "AG2111", Info, "A path parameter was renamed; the URL template is the same.");

    // Parameters.
    internal static readonly DiffRule NewRequiredParameter = new("new-required-request-parameter", "AG2201", Err, "A new required parameter was added.");
    internal static readonly DiffRule NewOptionalParameter = new("new-optional-request-parameter", "AG2202", Info, "A new optional parameter was added.");
    internal static readonly DiffRule ParameterRemoved = new("request-parameter-removed", "AG2203", Warn, "A parameter was removed without being deprecated first; clients still send it.");
    internal static readonly DiffRule ParameterRemovedDeprecated = new("request-parameter-removed-with-deprecation", "AG2204", Info, "A deprecated parameter was removed.");
    internal static readonly DiffRule ParameterBecameRequired = new("request-parameter-became-required", "AG2205", Err, "An optional parameter became required.");
    internal static readonly DiffRule ParameterBecameOptional = new("request-parameter-became-optional", "AG2206", Info, "A required parameter became optional.");
    internal static readonly DiffRule ParameterLocationChanged = new("request-parameter-location-changed", "AG2207", Err, "A parameter moved (for example from query to header).");
    internal static readonly DiffRule ParameterStyleChanged = new("request-parameter-style-changed", "AG2208", Warn, "A parameter's serialization (style or explode) changed.");

    // Request bodies.
    internal static readonly DiffRule RequestBodyAddedRequired = new("request-body-added-required", "AG2301", Err, "A required request body was added to an operation that had none.");
    internal static readonly DiffRule RequestBodyAddedOptional = new("request-body-added-optional", "AG2302", Info, "An optional request body was added to an operation that had none.");
    internal static readonly DiffRule RequestBodyRemoved = new("request-body-removed", "AG2303", Warn, "The request body was removed; clients still send one.");
    internal static readonly DiffRule RequestBodyBecameRequired = new("request-body-became-required", "AG2304", Err, "An optional request body became required.");
    internal static readonly DiffRule RequestBodyBecameOptional = new("request-body-became-optional", "AG2305", Info, "A required request body became optional.");
    internal static readonly DiffRule RequestMediaTypeRemoved = new("request-body-media-type-removed", "AG2306", Err, "A request media type is no longer accepted.");
    internal static readonly DiffRule RequestMediaTypeAdded = new("request-body-media-type-added", "AG2307", Info, "A request media type was added.");

    // Responses.
    internal static readonly DiffRule SuccessStatusRemoved = new("response-success-status-removed", "AG2401", Err, "A success (1xx-3xx) response status was removed.");
    internal static readonly DiffRule NonSuccessStatusRemoved = new("response-non-success-status-removed", "AG2402", Warn, "An error (4xx, 5xx or default) response status was removed.");
    internal static readonly DiffRule StatusAdded = new("response-status-added", "AG2403", Info, "A response status was added.");
    internal static readonly DiffRule ResponseMediaTypeRemoved = new("response-media-type-removed", "AG2404", Err, "A response media type is no longer returned.");
    internal static readonly DiffRule ResponseMediaTypeAdded = new("response-media-type-added", "AG2405", Info, "A response media type was added.");
    internal static readonly DiffRule RequiredHeaderRemoved = new("response-required-header-removed", "AG2406", Err, "A required response header was removed.");
    internal static readonly DiffRule OptionalHeaderRemoved = new("response-optional-header-removed", "AG2407", Warn, "An optional response header was removed.");
    internal static readonly DiffRule HeaderBecameOptional = new("response-header-became-optional", "AG2408", Err, "A required response header became optional.");
    internal static readonly DiffRule HeaderAdded = new("response-header-added", "AG2409", Info, "A response header was added.");

    // Security.
    internal static readonly DiffRule SecurityAdded = new("api-security-added", "AG2501", Err, "Security was added to an operation, or a scheme was added to one of its requirements.");
    internal static readonly DiffRule SecurityScopeAdded = new("api-security-scope-added", "AG2502", Err, "A scope was added to a security requirement.");
    internal static readonly DiffRule SecurityScopeRemoved = new("api-security-scope-removed", "AG2503", Info, "A scope was removed from a security requirement.");
    internal static readonly DiffRule SecurityRequirementRemoved = new("api-security-requirement-removed", "AG2504", Err, "One of the alternative security requirements was removed; clients using it are refused.");
    internal static readonly DiffRule SecurityRequirementAdded = new("api-security-requirement-added", "AG2505", Info, "An alternative security requirement was added.");
    internal static readonly DiffRule SecurityRemoved = new("api-security-removed", "AG2506", Info, "An operation no longer requires any security.");

    /// <summary>Schema kinds, each repeated per <see cref="SchemaContext"/> (AG26xx..AG29xx).</summary>
    internal static readonly IReadOnlyList<SchemaRuleKind> SchemaKinds =
    [
        new(1, "{side}-{noun}-type-changed", Err, Err, "The type changed to one that neither includes nor is included in the old one."),
        new(2, "{side}-{noun}-type-widened", Info, Err, "The type now admits more (for example integer to number, or string to [string, integer])."),
        new(3, "{side}-{noun}-type-narrowed", Err, Info, "The type now admits less (for example number to integer)."),
        new(4, "{side}-{noun}-format-changed", Err, Err, "The format changed (for example date to date-time)."),
        new(5, "{side}-{noun}-format-added", Err, Info, "A format was set where there was none."),
        new(6, "{side}-{noun}-format-removed", Info, Err, "The format was removed."),
        new(7, "{side}-{noun}-became-nullable", Info, Err, "null is now allowed (3.0 nullable: true, or \"null\" in a 3.1 type array)."),
        new(8, "{side}-{noun}-became-not-nullable", Err, Info, "null is no longer allowed."),
        new(9, "{side}-{noun}-enum-value-removed", Err, Info, "An enum value was removed."),
        new(10, "{side}-{noun}-enum-value-added", Info, Warn, "An enum value was added, or the enum restriction was dropped."),
        new(11, "{side}-{noun}-became-enum", Err, Info, "The value was restricted to a list of enum values."),
        new(12, "{side}-{noun}-max-length-decreased", Err, Info, "maxLength was lowered or set."),
        new(13, "{side}-{noun}-max-length-increased", Info, Warn, "maxLength was raised or removed."),
        new(14, "{side}-{noun}-min-length-increased", Err, Info, "minLength was raised or set."),
        new(15, "{side}-{noun}-min-length-decreased", Info, Warn, "minLength was lowered or removed."),
        new(16, "{side}-{noun}-max-decreased", Err, Info, "maximum (or exclusiveMaximum) was lowered or set."),
        new(17, "{side}-{noun}-max-increased", Info, Warn, "maximum (or exclusiveMaximum) was raised or removed."),
        new(18, "{side}-{noun}-min-increased", Err, Info, "minimum (or exclusiveMinimum) was raised or set."),
        new(19, "{side}-{noun}-min-decreased", Info, Warn, "minimum (or exclusiveMinimum) was lowered or removed."),
        new(20, "{side}-{noun}-max-items-decreased", Err, Info, "maxItems was lowered or set."),
        new(21, "{side}-{noun}-max-items-increased", Info, Warn, "maxItems was raised or removed."),
        new(22, "{side}-{noun}-min-items-increased", Err, Info, "minItems was raised or set."),
        new(23, "{side}-{noun}-min-items-decreased", Info, Warn, "minItems was lowered or removed."),
        new(24, "{side}-{noun}-pattern-added", Err, Info, "A pattern was set where there was none."),
        new(25, "{side}-{noun}-pattern-changed", Warn, Warn, "The pattern changed; whether it admits more or less cannot be told."),
        new(26, "{side}-{noun}-pattern-removed", Info, Warn, "The pattern was removed."),
        new(27, "{side}-{noun}-additional-properties-disallowed", Err, Info, "additionalProperties became false."),
        new(28, "{side}-{noun}-additional-properties-allowed", Info, Warn, "additionalProperties is no longer false."),
        new(29, "{side}-{noun}-union-branch-removed", Err, Info, "A oneOf/anyOf alternative was removed."),
        new(30, "{side}-{noun}-union-branch-added", Info, Warn, "A oneOf/anyOf alternative was added."),
        new(31, "{side}-{noun}-deprecated", Info, Info, "It was marked deprecated."),
        new(51, "{side}-property-removed", Warn, Err, "A property was removed (in a response: one that was required).", PropertyOnly: true),
        new(52, "{side}-optional-property-removed", null, Warn, "An optional response property was removed.", PropertyOnly: true),
        new(53, "new-required-{side}-property", Err, Info, "A new required property was added.", PropertyOnly: true),
        new(54, "new-optional-{side}-property", Info, Info, "A new optional property was added.", PropertyOnly: true),
        new(55, "{side}-property-became-required", Err, Info, "An optional property became required.", PropertyOnly: true),
        new(56, "{side}-property-became-optional", Info, Err, "A required property became optional.", PropertyOnly: true),
    ];

    private static readonly Dictionary<(SchemaContext, int), DiffRule> SchemaRuleTable = BuildSchemaRules();

    /// <summary>Every rule, in code order.</summary>
    public static IReadOnlyList<DiffRule> All { get; } =
        typeof(DiffRules).GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
            .Where(f => f.FieldType == typeof(DiffRule))
            .Select(f => (DiffRule)f.GetValue(null)!)
            .Concat(SchemaRuleTable.Values)
            .OrderBy(r => r.Code, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The rule for a schema change of <paramref name="kindNumber"/> in <paramref name="context"/>.</summary>
    internal static DiffRule Schema(SchemaContext context, int kindNumber) => SchemaRuleTable[(context, kindNumber)];

    private static Dictionary<(SchemaContext, int), DiffRule> BuildSchemaRules()
    {
        var table = new Dictionary<(SchemaContext, int), DiffRule>();
        foreach (var context in Enum.GetValues<SchemaContext>())
        {
            var (side, noun, block) = context switch
            {
                SchemaContext.RequestParameter => ("request", "parameter", 26),
                SchemaContext.RequestBody => ("request", "property", 27),
                SchemaContext.ResponseBody => ("response", "property", 28),
                _ => ("response", "header", 29),
            };
            foreach (var kind in SchemaKinds)
            {
                var level = side == "request" ? kind.RequestLevel : kind.ResponseLevel;
                if (level is null || (kind.PropertyOnly && noun != "property"))
                {
                    continue;
                }

                var id = kind.Template.Replace("{side}", side, StringComparison.Ordinal).Replace("{noun}", noun, StringComparison.Ordinal);
                table[(context, kind.Number)] = new DiffRule(id, $"AG{block}{kind.Number:00}", level.Value, $"{Where(context)}: {kind.Summary}");
            }
        }

        return table;
    }

    private static string Where(SchemaContext context) => context switch
    {
        SchemaContext.RequestParameter => "Request parameter",
        SchemaContext.RequestBody => "Request body",
        SchemaContext.ResponseBody => "Response body",
        _ => "Response header",
    };
}
