namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// The breaking-change catalogue: every rule <see cref="ContractDiff"/> can report, with its stable id, code, level and
/// oasdiff alias. docs/contract-diff.md documents each one.
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
    internal static readonly DiffRule PathRemoved = Op("api-path-removed-without-deprecation", "AG2101", Err, "A path (with all its operations) was removed without being deprecated first.");
    internal static readonly DiffRule PathRemovedDeprecated = Op("api-path-removed-with-deprecation", "AG2102", Info, "A path whose operations were all deprecated was removed (after their sunset date, if they had one).");
    internal static readonly DiffRule OperationRemoved = Op("api-removed-without-deprecation", "AG2103", Err, "An operation was removed from a path that still exists, without being deprecated first.");
    internal static readonly DiffRule OperationRemovedDeprecated = Op("api-removed-with-deprecation", "AG2104", Info, "A deprecated operation was removed (after its sunset date, if it had one).");
    internal static readonly DiffRule PathAdded = Op("api-path-added", "AG2105", Info, "A new path (with its operations) was added.", "endpoint-added");
    internal static readonly DiffRule OperationAdded = Op("endpoint-added", "AG2106", Info, "A new operation was added to an existing path.");
    internal static readonly DiffRule OperationDeprecated = Op("endpoint-deprecated", "AG2107", Info, "An operation was marked deprecated.");
    internal static readonly DiffRule OperationReactivated = Op("endpoint-reactivated", "AG2108", Info, "An operation is no longer deprecated.");
    internal static readonly DiffRule OperationIdChanged = Op("api-operation-id-changed", "AG2109", Warn, "The operationId changed or was removed; generated clients rename their method.", "api-operation-id-removed");
    internal static readonly DiffRule OperationIdAdded = Op("api-operation-id-added", "AG2110", Info, "An operationId was given to an operation that had none.");
    internal static readonly DiffRule PathParameterRenamed = Op("api-path-parameter-renamed", "AG2111", Info, "A path parameter was renamed; the URL template is the same.");
    internal static readonly DiffRule PathRemovedBeforeSunset = Op("api-path-removed-before-sunset", "AG2112", Err, "A path was removed before the sunset date (x-sunset) its deprecated operations announced.");
    internal static readonly DiffRule OperationRemovedBeforeSunset = Op("api-removed-before-sunset", "AG2113", Err, "A deprecated operation was removed before the sunset date (x-sunset) it announced.");
    internal static readonly DiffRule RemovedSunsetInvalid = Op("api-path-sunset-parse", "AG2114", Err, "A deprecated operation was removed, and its x-sunset is not a date (RFC 3339 full-date or date-time).");
    internal static readonly DiffRule OperationDeprecatedWithSunset = Op("endpoint-deprecated-with-sunset", "AG2115", Info, "An operation was marked deprecated with a sunset date (x-sunset).");
    internal static readonly DiffRule DeprecatedSunsetInvalid = Op("api-deprecated-sunset-parse", "AG2116", Err, "A deprecated operation's x-sunset is not a date.");
    internal static readonly DiffRule SunsetDeleted = Op("api-sunset-deleted", "AG2117", Err, "The sunset date of a deprecated operation was deleted while it stays deprecated.", "sunset-deleted");
    internal static readonly DiffRule SunsetEarlier = Op("api-sunset-date-changed-too-small", "AG2118", Err, "The sunset date of a deprecated operation was moved earlier.");
    internal static readonly DiffRule StabilityDecreased = Op("api-stability-decreased", "AG2119", Err, "An operation's x-stability-level went down (stable > beta > alpha > draft).");
    internal static readonly DiffRule StabilityIncreased = Op("api-stability-increased", "AG2120", Info, "An operation's x-stability-level went up.");
    internal static readonly DiffRule StabilityInvalid = Op("api-invalid-stability-level", "AG2121", Err, "An operation's x-stability-level is not draft, alpha, beta or stable.");
    internal static readonly DiffRule WebhookAdded = Op("webhook-added", "AG2122", Info, "A webhook was added.");
    internal static readonly DiffRule WebhookRemoved = Op("webhook-removed", "AG2123", Err, "A webhook was removed; subscribers stop receiving its calls.");
    internal static readonly DiffRule TagAdded = Op("api-tag-added", "AG2124", Info, "An operation got a tag.");
    internal static readonly DiffRule TagRemoved = Op("api-tag-removed", "AG2125", Info, "A tag was removed from an operation.");
    internal static readonly DiffRule ComponentSchemaRemoved = Op("api-schema-removed", "AG2126", Info, "A schema of components.schemas was removed.");
    internal static readonly DiffRule SecuritySchemeAdded = Op("api-security-component-added", "AG2127", Info, "A security scheme was added to components.securitySchemes.");
    internal static readonly DiffRule SecuritySchemeRemoved = Op("api-security-component-removed", "AG2128", Info, "A security scheme was removed from components.securitySchemes.");
    internal static readonly DiffRule SecuritySchemeTypeChanged = Op("api-security-component-type-changed", "AG2129", Info, "The type of a security scheme changed.");

    // Parameters.
    internal static readonly DiffRule NewRequiredParameter = Op("new-required-request-parameter", "AG2201", Err, "A new required parameter was added.");
    internal static readonly DiffRule NewOptionalParameter = Op("new-optional-request-parameter", "AG2202", Info, "A new optional parameter was added.");
    internal static readonly DiffRule ParameterRemoved = Op("request-parameter-removed", "AG2203", Warn, "A parameter was removed without being deprecated first; clients still send it.");
    internal static readonly DiffRule ParameterRemovedDeprecated = Op("request-parameter-removed-with-deprecation", "AG2204", Info, "A deprecated parameter was removed (after its sunset date, if it had one).");
    internal static readonly DiffRule ParameterBecameRequired = Op("request-parameter-became-required", "AG2205", Err, "An optional parameter became required.");
    internal static readonly DiffRule ParameterBecameOptional = Op("request-parameter-became-optional", "AG2206", Info, "A required parameter became optional.");
    internal static readonly DiffRule ParameterLocationChanged = Op("request-parameter-location-changed", "AG2207", Err, "A parameter moved (for example from query to header).");
    internal static readonly DiffRule ParameterStyleChanged = Op("request-parameter-style-changed", "AG2208", Warn, "A parameter's serialization (style or explode) changed.");
    internal static readonly DiffRule ParameterRemovedBeforeSunset = Op("request-parameter-removed-before-sunset", "AG2209", Err, "A deprecated parameter was removed before its sunset date (x-sunset).");
    internal static readonly DiffRule ParameterSunsetInvalid = Op("request-parameter-sunset-parse", "AG2210", Err, "A deprecated parameter's x-sunset is not a date.");
    internal static readonly DiffRule ParameterSunsetDeleted = Op("request-parameter-sunset-deleted", "AG2211", Err, "The sunset date of a deprecated parameter was deleted while it stays deprecated.");
    internal static readonly DiffRule ParameterSunsetEarlier = Op("request-parameter-sunset-date-changed-too-small", "AG2212", Err, "The sunset date of a deprecated parameter was moved earlier.");

    // Request bodies.
    internal static readonly DiffRule RequestBodyAddedRequired = Op("request-body-added-required", "AG2301", Err, "A required request body was added to an operation that had none.");
    internal static readonly DiffRule RequestBodyAddedOptional = Op("request-body-added-optional", "AG2302", Info, "An optional request body was added to an operation that had none.");
    internal static readonly DiffRule RequestBodyRemoved = Op("request-body-removed", "AG2303", Err, "The request body was removed; clients still send one.");
    internal static readonly DiffRule RequestBodyBecameRequired = Op("request-body-became-required", "AG2304", Err, "An optional request body became required.");
    internal static readonly DiffRule RequestBodyBecameOptional = Op("request-body-became-optional", "AG2305", Info, "A required request body became optional.");
    internal static readonly DiffRule RequestMediaTypeRemoved = Op("request-body-media-type-removed", "AG2306", Err, "A request media type is no longer accepted.");
    internal static readonly DiffRule RequestMediaTypeAdded = Op("request-body-media-type-added", "AG2307", Info, "A request media type was added.");
    internal static readonly DiffRule RequestMediaSchemaAdded = Op("request-body-media-type-schema-added", "AG2308", Err, "A schema was given to a request media type that had none (anything was accepted).");
    internal static readonly DiffRule RequestMediaSchemaRemoved = Op("request-body-media-type-schema-removed", "AG2309", Info, "The schema of a request media type was removed (anything is accepted).");

    // Responses.
    internal static readonly DiffRule SuccessStatusRemoved = Op("response-success-status-removed", "AG2401", Err, "A success (1xx-3xx) response status was removed.");
    internal static readonly DiffRule NonSuccessStatusRemoved = Op("response-non-success-status-removed", "AG2402", Info, "An error (4xx, 5xx or default) response status was removed.");
    internal static readonly DiffRule StatusAdded = Op("response-status-added", "AG2403", Info, "A response status was added.", "response-success-status-added");
    internal static readonly DiffRule ResponseMediaTypeRemoved = Op("response-media-type-removed", "AG2404", Err, "A response media type is no longer returned.");
    internal static readonly DiffRule ResponseMediaTypeAdded = Op("response-media-type-added", "AG2405", Info, "A response media type was added.");
    internal static readonly DiffRule RequiredHeaderRemoved = Op("response-required-header-removed", "AG2406", Err, "A required response header was removed.", "required-response-header-removed");
    internal static readonly DiffRule OptionalHeaderRemoved = Op("response-optional-header-removed", "AG2407", Warn, "An optional response header was removed.", "optional-response-header-removed");
    internal static readonly DiffRule HeaderBecameOptional = Op("response-header-became-optional", "AG2408", Err, "A required response header became optional.");
    internal static readonly DiffRule HeaderAdded = Op("response-header-added", "AG2409", Info, "A response header was added.");
    internal static readonly DiffRule ResponseMediaSchemaAdded = Op("response-body-media-type-schema-added", "AG2410", Info, "A schema was given to a response media type that had none.");
    internal static readonly DiffRule ResponseMediaSchemaRemoved = Op("response-body-media-type-schema-removed", "AG2411", Warn, "The schema of a response media type was removed; clients no longer know what comes.");

    // Security (oasdiff's levels: credentials are configuration agreed outside the contract).
    internal static readonly DiffRule SecurityAdded = Op("api-security-added", "AG2501", Info, "Security was added to an operation, or a scheme was added to one of its requirements.");
    internal static readonly DiffRule SecurityScopeAdded = Op("api-security-scope-added", "AG2502", Info, "A scope was added to a security requirement.");
    internal static readonly DiffRule SecurityScopeRemoved = Op("api-security-scope-removed", "AG2503", Info, "A scope was removed from a security requirement.");
    internal static readonly DiffRule SecurityRequirementRemoved = Op("api-security-requirement-removed", "AG2504", Info, "One of the alternative security requirements was removed; clients using it are refused.", "api-security-removed");
    internal static readonly DiffRule SecurityRequirementAdded = Op("api-security-requirement-added", "AG2505", Info, "An alternative security requirement was added.", "api-security-added");
    internal static readonly DiffRule SecurityRemoved = Op("api-security-removed", "AG2506", Info, "An operation no longer requires any security.");

    /// <summary>Schema kinds, each repeated per <see cref="SchemaContext"/> (AG26xx..AG29xx).</summary>
    internal static readonly IReadOnlyList<SchemaRuleKind> SchemaKinds =
    [
        K(1, "{side}-{noun}-type-changed", Err, Err, "The type changed to one that neither includes nor is included in the old one.", "`string` becomes `boolean`."),
        K(2, "{side}-{noun}-type-widened", Info, Err, "The type now admits more (for example integer to number, or string to [string, integer]).", "`integer` becomes `number`.", aliases: ["{side}-{noun}-type-generalized", "{side}-{noun}-list-of-types-widened"]),
        K(3, "{side}-{noun}-type-narrowed", Err, Info, "The type now admits less (for example number to integer).", "`number` becomes `integer`.", aliases: ["{side}-{noun}-type-specialized", "{side}-{noun}-type-changed", "{side}-{noun}-list-of-types-narrowed"]),
        K(4, "{side}-{noun}-format-changed", Err, Err, "The format changed (for example date to date-time).", "`format: date` becomes `date-time`."),
        K(5, "{side}-{noun}-format-added", Err, Info, "A format was set where there was none.", "`{type: string}` gains `format: uuid`."),
        K(6, "{side}-{noun}-format-removed", Info, Err, "The format was removed.", "`format: uuid` removed."),
        K(7, "{side}-{noun}-became-nullable", Info, Err, "null is now allowed (3.0 nullable: true, or \"null\" in a 3.1 type array).", "`{type: string}` becomes `{type: [string, 'null']}`."),
        K(8, "{side}-{noun}-became-not-nullable", Err, Info, "null is no longer allowed.", "`nullable: true` removed."),
        K(9, "{side}-{noun}-enum-value-removed", Err, Info, "An enum value was removed.", "`enum: [open, closed]` becomes `[open]`.", aliases: ["{side}-{noun}-enum-value-removed", "response-mediatype-enum-value-removed"]),
        K(10, "{side}-{noun}-enum-value-added", Info, Warn, "An enum value was added, or the enum restriction was dropped.", "`enum: [open]` becomes `[open, closed]`."),
        K(11, "{side}-{noun}-became-enum", Err, Info, "The value was restricted to a list of enum values.", "`{type: string}` gains `enum: [open]`."),
        K(12, "{side}-{noun}-max-length-decreased", Err, Info, "maxLength was lowered.", "`maxLength: 40` becomes `20`."),
        K(13, "{side}-{noun}-max-length-increased", Info, Err, "maxLength was raised.", "`maxLength: 20` becomes `40`."),
        K(14, "{side}-{noun}-min-length-increased", Err, Info, "minLength was raised or set.", "`minLength: 1` becomes `2`."),
        K(15, "{side}-{noun}-min-length-decreased", Info, Err, "minLength was lowered or removed.", "`minLength: 2` becomes `1`."),
        K(16, "{side}-{noun}-max-decreased", Err, Info, "maximum (or exclusiveMaximum) was lowered.", "`maximum: 100` becomes `50`.", aliases: ["{side}-{noun}-max-decreased", "{side}-{noun}-exclusive-max-decreased"]),
        K(17, "{side}-{noun}-max-increased", Info, Err, "maximum (or exclusiveMaximum) was raised or removed.", "`maximum: 50` removed.", aliases: ["{side}-{noun}-max-increased", "{side}-{noun}-exclusive-max-increased"]),
        K(18, "{side}-{noun}-min-increased", Err, Info, "minimum (or exclusiveMinimum) was raised.", "`minimum: 0` becomes `1`.", aliases: ["{side}-{noun}-min-increased", "{side}-{noun}-exclusive-min-increased"]),
        K(19, "{side}-{noun}-min-decreased", Info, Err, "minimum (or exclusiveMinimum) was lowered or removed.", "`minimum: 1` becomes `0`.", aliases: ["{side}-{noun}-min-decreased", "{side}-{noun}-exclusive-min-decreased"]),
        K(20, "{side}-{noun}-max-items-decreased", Err, Info, "maxItems was lowered or set.", "`maxItems: 20` added."),
        K(21, "{side}-{noun}-max-items-increased", Info, Warn, "maxItems was raised or removed.", "`maxItems: 20` becomes `50`."),
        K(22, "{side}-{noun}-min-items-increased", Err, Info, "minItems was raised.", "`minItems: 1` becomes `2`."),
        K(23, "{side}-{noun}-min-items-decreased", Info, Err, "minItems was lowered.", "`minItems: 2` becomes `1`."),
        K(24, "{side}-{noun}-pattern-added", Err, Info, "A pattern was set where there was none.", "`pattern: '^[a-z]+$'` added."),
        K(25, "{side}-{noun}-pattern-changed", Warn, Info, "The pattern changed; whether it admits more or less cannot be told.", "`^[a-z]+$` becomes `^[a-z0-9]+$`."),
        K(26, "{side}-{noun}-pattern-removed", Info, Info, "The pattern was removed.", "`pattern` dropped."),
        K(27, "{side}-{noun}-additional-properties-disallowed", Err, Info, "additionalProperties became false.", "`{type: object}` gains `additionalProperties: false`."),
        K(28, "{side}-{noun}-additional-properties-allowed", Info, Warn, "additionalProperties is no longer false.", "`additionalProperties: false` removed."),
        K(29, "{side}-{noun}-one-of-removed", Err, Info, "A oneOf alternative was removed (a $ref member is matched by name; an inline one by equal content wherever it stands, else by shape, else by position).", "`oneOf: [Card, Cash]` becomes `[Card]`."),
        K(30, "{side}-{noun}-one-of-added", Info, Err, "A oneOf alternative was added.", "`oneOf: [Card]` becomes `[Card, Cash]`."),
        K(31, "{side}-{noun}-deprecated", Info, Info, "It was marked deprecated.", "`note` gains `deprecated: true`."),
        K(32, "{side}-{noun}-max-length-set", Warn, Info, "maxLength was set where there was none.", "`{type: string}` gains `maxLength: 100`."),
        K(33, "{side}-{noun}-max-set", Warn, Info, "maximum (or exclusiveMaximum) was set where there was none.", "`{type: integer}` gains `maximum: 100`.", aliases: ["{side}-{noun}-max-set", "{side}-{noun}-exclusive-max-set"]),
        K(34, "{side}-{noun}-min-set", Warn, Info, "minimum (or exclusiveMinimum) was set where there was none.", "`{type: integer}` gains `minimum: 1`.", aliases: ["{side}-{noun}-min-set", "{side}-{noun}-exclusive-min-set"]),
        K(35, "{side}-{noun}-min-items-set", Warn, Info, "minItems was set where there was none.", "`{type: array}` gains `minItems: 1`."),
        K(36, "{side}-{noun}-max-length-unset", Info, Err, "maxLength was removed.", "`maxLength: 20` dropped.", aliases: ["{side}-{noun}-max-length-unset", "{side}-{noun}-max-length-increased"]),
        K(37, "{side}-{noun}-min-items-unset", Info, Err, "minItems was removed.", "`minItems: 1` dropped.", aliases: ["{side}-{noun}-min-items-unset", "{side}-{noun}-min-items-decreased"]),
        K(38, "{side}-{noun}-any-of-removed", Err, Info, "An anyOf alternative was removed (a $ref member is matched by name; an inline one by equal content wherever it stands, else by shape, else by position).", "`anyOf: [Card, Cash]` becomes `[Card]`."),
        K(39, "{side}-{noun}-any-of-added", Info, Info, "An anyOf alternative was added.", "`anyOf: [Card]` becomes `[Card, Cash]`."),
        K(40, "{side}-{noun}-all-of-added", Err, Info, "An allOf member was added: values must now satisfy one more schema.", "`allOf: [Base]` becomes `[Base, Audited]`.", KindScope.Body),
        K(41, "{side}-{noun}-all-of-removed", Warn, Info, "An allOf member was removed.", "`allOf: [Base, Audited]` becomes `[Base]`.", KindScope.Body),
        K(42, "{side}-{noun}-const-added", Err, Info, "const was set: one value only is allowed.", "`{type: string}` gains `const: v1`."),
        K(43, "{side}-{noun}-const-removed", Info, Err, "const was removed: any value of the type may come.", "`const: v1` dropped."),
        K(44, "{side}-{noun}-const-changed", Err, Err, "The const value changed.", "`const: v1` becomes `const: v2`."),
        K(45, "{side}-{noun}-default-value-added", Info, Info, "A default value was set (for a parameter, the server now assumes it when it is left out).", "`default: 20` added.", parameterLevel: Err),
        K(46, "{side}-{noun}-default-value-removed", Info, Info, "The default value was removed.", "`default: 20` dropped.", parameterLevel: Err),
        K(47, "{side}-{noun}-default-value-changed", Info, Info, "The default value changed (for a parameter, clients that leave it out get another behaviour).", "`default: 20` becomes `50`.", parameterLevel: Err),
        K(48, "{side}-{noun}-x-extensible-enum-value-removed", Err, Info, "A value of x-extensible-enum was removed.", "`x-extensible-enum: [a, b]` becomes `[a]`."),
        K(49, "{side}-{noun}-x-extensible-enum-value-added", Info, Info, "A value of x-extensible-enum was added (clients were told to expect new ones).", "`x-extensible-enum: [a]` becomes `[a, b]`."),
        K(50, "{side}-{noun}-reactivated", Info, Info, "It is no longer deprecated.", "`deprecated: true` removed."),
        K(51, "{side}-property-removed", Warn, Err, "A property was removed (in a response: one that was required).", "`total` removed from `Order`.", KindScope.Property, aliases: ["{side}-property-removed", "{side}-required-property-removed"]),
        K(52, "{side}-optional-property-removed", null, Warn, "An optional response property was removed.", "`note` (optional) removed.", KindScope.Property),
        K(53, "new-required-{side}-property", Err, Info, "A new required property was added.", "`NewOrder.quantity` added and required.", KindScope.Property, aliases: ["new-required-{side}-property", "{side}-required-property-added"]),
        K(54, "new-optional-{side}-property", Info, Info, "A new optional property was added.", "`Order.currency` added.", KindScope.Property, aliases: ["new-optional-{side}-property", "{side}-optional-property-added"]),
        K(55, "{side}-property-became-required", Err, Info, "An optional property became required.", "`quantity` added to `required`.", KindScope.Property),
        K(56, "{side}-property-became-optional", Info, Err, "A required property became optional.", "`total` removed from `required`.", KindScope.Property),
        K(57, "{side}-{noun}-prefix-items-added", Info, Err, "prefixItems was set (the first items of the array get their own schemas).", "`prefixItems: [{type: string}]` added.", KindScope.Body),
        K(58, "{side}-{noun}-prefix-items-removed", Err, Info, "prefixItems was removed.", "`prefixItems` dropped.", KindScope.Body),
        K(59, "{side}-{noun}-contains-added", Err, Info, "contains was set: the array must hold a matching item.", "`contains: {type: integer}` added.", KindScope.Body),
        K(60, "{side}-{noun}-contains-removed", Info, Err, "contains was removed.", "`contains` dropped.", KindScope.Body),
        K(61, "{side}-{noun}-min-contains-increased", Err, Info, "minContains was raised or set.", "`minContains: 1` becomes `2`.", KindScope.Body),
        K(62, "{side}-{noun}-min-contains-decreased", Info, Err, "minContains was lowered or removed.", "`minContains: 2` becomes `1`.", KindScope.Body),
        K(63, "{side}-{noun}-max-contains-increased", Info, Err, "maxContains was raised or removed.", "`maxContains: 1` becomes `3`.", KindScope.Body),
        K(64, "{side}-{noun}-max-contains-decreased", Err, Info, "maxContains was lowered or set.", "`maxContains: 3` becomes `1`.", KindScope.Body),
        K(65, "{side}-{noun}-dependent-required-added", Err, Info, "A dependentRequired entry was added: one property now needs others.", "`dependentRequired: {card: [cvc]}` added.", KindScope.Body),
        K(66, "{side}-{noun}-dependent-required-removed", Info, Err, "A dependentRequired entry was removed.", "`dependentRequired: {card: [cvc]}` dropped.", KindScope.Body),
        K(67, "{side}-{noun}-dependent-required-changed", Err, Err, "The properties a dependentRequired entry asks for changed.", "`card: [cvc]` becomes `card: [cvc, expiry]`.", KindScope.Body),
        K(68, "{side}-{noun}-dependent-schema-added", Err, Info, "A dependentSchemas entry was added.", "`dependentSchemas: {card: {...}}` added.", KindScope.Body),
        K(69, "{side}-{noun}-dependent-schema-removed", Info, Err, "A dependentSchemas entry was removed.", "`dependentSchemas.card` dropped.", KindScope.Body),
        K(70, "{side}-{noun}-pattern-property-added", Err, Info, "A patternProperties entry was added.", "`patternProperties: {'^x-': {type: string}}` added.", KindScope.Body),
        K(71, "{side}-{noun}-pattern-property-removed", Info, Err, "A patternProperties entry was removed.", "`patternProperties['^x-']` dropped.", KindScope.Body),
        K(72, "{side}-{noun}-property-names-added", Err, Info, "propertyNames was set: property names are constrained.", "`propertyNames: {pattern: '^[a-z]+$'}` added.", KindScope.Body),
        K(73, "{side}-{noun}-property-names-removed", Info, Err, "propertyNames was removed.", "`propertyNames` dropped.", KindScope.Body),
        K(74, "{side}-{noun}-unevaluated-items-added", Err, Info, "unevaluatedItems was set.", "`unevaluatedItems: false` added.", KindScope.Body),
        K(75, "{side}-{noun}-unevaluated-items-removed", Info, Err, "unevaluatedItems was removed.", "`unevaluatedItems: false` dropped.", KindScope.Body),
        K(76, "{side}-{noun}-unevaluated-properties-added", Err, Info, "unevaluatedProperties was set.", "`unevaluatedProperties: false` added.", KindScope.Body),
        K(77, "{side}-{noun}-unevaluated-properties-removed", Info, Err, "unevaluatedProperties was removed.", "`unevaluatedProperties: false` dropped.", KindScope.Body),
        K(78, "{side}-{noun}-content-schema-added", Err, Info, "contentSchema was set on an encoded string.", "`contentSchema: {type: object}` added.", KindScope.Body),
        K(79, "{side}-{noun}-content-schema-removed", Info, Err, "contentSchema was removed.", "`contentSchema` dropped.", KindScope.Body),
        K(80, "{side}-{noun}-content-media-type-changed", Err, Err, "contentMediaType changed (set, removed or another type).", "`contentMediaType: image/png` becomes `image/jpeg`.", KindScope.Body),
        K(81, "{side}-{noun}-content-encoding-changed", Err, Err, "contentEncoding changed (set, removed or another encoding).", "`contentEncoding: base64` becomes `base32`.", KindScope.Body),
        K(82, "{side}-{noun}-discriminator-added", Info, Info, "A discriminator was added.", "`discriminator: {propertyName: kind}` added.", KindScope.Body),
        K(83, "{side}-{noun}-discriminator-removed", Info, Info, "The discriminator was removed.", "`discriminator` dropped.", KindScope.Body),
        K(84, "{side}-{noun}-discriminator-property-name-changed", Info, Info, "The discriminator's propertyName changed.", "`propertyName: kind` becomes `type`.", KindScope.Body),
        K(85, "{side}-{noun}-discriminator-mapping-added", Info, Info, "A discriminator mapping entry was added.", "`mapping: {cash: '#/…/Cash'}` added.", KindScope.Body),
        K(86, "{side}-{noun}-discriminator-mapping-deleted", Info, Info, "A discriminator mapping entry was removed.", "`mapping.cash` dropped.", KindScope.Body),
        K(87, "{side}-{noun}-discriminator-mapping-changed", Info, Info, "A discriminator mapping entry points elsewhere.", "`cash: '#/…/Cash'` becomes `'#/…/Money'`.", KindScope.Body),
        K(88, "{side}-{noun}-if-added", Err, Info, "An if subschema was added (a condition on the value).", "`if: {...}` added.", KindScope.Body),
        K(89, "{side}-{noun}-if-removed", Info, Err, "The if subschema was removed.", "`if` dropped.", KindScope.Body),
        K(90, "{side}-{noun}-then-added", Err, Info, "A then subschema was added.", "`then: {...}` added.", KindScope.Body),
        K(91, "{side}-{noun}-then-removed", Info, Err, "The then subschema was removed.", "`then` dropped.", KindScope.Body),
        K(92, "{side}-{noun}-else-added", Err, Info, "An else subschema was added.", "`else: {...}` added.", KindScope.Body),
        K(93, "{side}-{noun}-else-removed", Info, Err, "The else subschema was removed.", "`else` dropped.", KindScope.Body),
        K(94, "{side}-{noun}-stability-decreased", Err, Err, "Its x-stability-level went down (stable > beta > alpha > draft).", "`x-stability-level: stable` becomes `beta`.", KindScope.Body),
        K(96, "{side}-property-became-read-only", Info, Info, "A property became readOnly (clients no longer send it; servers send it).", "`id` gains `readOnly: true`.", KindScope.Property, aliases: ["{side}-optional-property-became-read-only"]),
        K(97, "{side}-property-became-not-read-only", Info, Info, "A property is no longer readOnly.", "`readOnly: true` removed.", KindScope.Property, aliases: ["{side}-optional-property-became-not-read-only"]),
        K(98, "{side}-property-became-write-only", Info, Info, "A property became writeOnly (servers no longer send it).", "`password` gains `writeOnly: true`.", KindScope.Property, aliases: ["{side}-optional-property-became-write-only"]),
        K(99, "{side}-property-became-not-write-only", Info, Warn, "A property is no longer writeOnly: responses now carry it.", "`writeOnly: true` removed.", KindScope.Property, aliases: ["{side}-required-property-became-not-write-only"]),
        K(95, "{side}-{noun}-stability-increased", Info, Info, "Its x-stability-level went up.", "`x-stability-level: beta` becomes `stable`.", KindScope.Body),

        // Kinds from 100 take codes 80-99 of AG22xx-AG25xx (parameter, request body, response body, response header).
        K(100, "{side}-{noun}-multiple-of-set", Err, Info, "multipleOf was set where there was none.", "`{type: number}` gains `multipleOf: 0.01`."),
        K(101, "{side}-{noun}-multiple-of-unset", Info, Err, "multipleOf was removed.", "`multipleOf: 5` dropped."),
        K(102, "{side}-{noun}-multiple-of-narrowed", Err, Info, "multipleOf changed to a value the old one is not a multiple of: some values valid before are not now.", "`multipleOf: 5` becomes `10`."),
        K(103, "{side}-{noun}-multiple-of-widened", Info, Err, "multipleOf changed to a divisor of the old one: every value valid before still is, and more are.", "`multipleOf: 10` becomes `5`."),
        K(104, "{side}-{noun}-unique-items-set", Err, Info, "uniqueItems became true: arrays with repeated items are refused.", "`{type: array}` gains `uniqueItems: true`."),
        K(105, "{side}-{noun}-unique-items-unset", Info, Err, "uniqueItems is no longer true: arrays may repeat items.", "`uniqueItems: true` dropped."),
        K(106, "{side}-{noun}-max-properties-decreased", Err, Info, "maxProperties was lowered or set.", "`maxProperties: 20` becomes `10`."),
        K(107, "{side}-{noun}-max-properties-increased", Info, Err, "maxProperties was raised or removed.", "`maxProperties: 10` dropped."),
        K(108, "{side}-{noun}-min-properties-increased", Err, Info, "minProperties was raised or set.", "`{type: object}` gains `minProperties: 1`."),
        K(109, "{side}-{noun}-min-properties-decreased", Info, Err, "minProperties was lowered or removed.", "`minProperties: 2` becomes `1`."),
        K(110, "{side}-{noun}-not-added", Err, Info, "A not subschema was added: values that match it are refused.", "`not: {type: string, enum: [\"\"]}` added."),
        K(111, "{side}-{noun}-not-removed", Info, Err, "The not subschema was removed: values it refused may come.", "`not` dropped."),
        K(112, "{side}-{noun}-not-changed", Warn, Warn, "The not subschema changed; what it lets through now cannot be told from the change alone.", "`not: {enum: [a]}` becomes `not: {enum: [b]}`."),
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

    /// <summary>True when <paramref name="context"/> has a rule of kind <paramref name="kindNumber"/>.</summary>
    internal static bool HasSchemaRule(SchemaContext context, int kindNumber) => SchemaRuleTable.ContainsKey((context, kindNumber));

    private static DiffRule Op(string id, string code, ChangeLevel level, string summary, string? alias = null) =>
        new(id, code, level, summary) { Alias = alias ?? (OasdiffCatalogue.Has(id) ? id : null) };

    private static SchemaRuleKind K(
        int number, string template, ChangeLevel? request, ChangeLevel? response, string summary, string example,
        KindScope scope = KindScope.Any, string[]? aliases = null, ChangeLevel? parameterLevel = null) =>
        new(number, template, request, response, summary, scope) { Example = example, Aliases = aliases ?? [], ParameterLevel = parameterLevel };

    private static Dictionary<(SchemaContext, int), DiffRule> BuildSchemaRules()
    {
        var table = new Dictionary<(SchemaContext, int), DiffRule>();
        foreach (var context in Enum.GetValues<SchemaContext>())
        {
            var (side, noun, block, rootNoun) = context switch
            {
                SchemaContext.RequestParameter => ("request", "parameter", 26, "parameter"),
                SchemaContext.RequestBody => ("request", "property", 27, "body"),
                SchemaContext.ResponseBody => ("response", "property", 28, "body"),
                _ => ("response", "header", 29, "header"),
            };
            var isBody = context is SchemaContext.RequestBody or SchemaContext.ResponseBody;
            foreach (var kind in SchemaKinds)
            {
                var level = context == SchemaContext.RequestParameter && kind.ParameterLevel is { } p ? p
                    : side == "request" ? kind.RequestLevel : kind.ResponseLevel;
                if (level is null || (kind.Scope == KindScope.Property && noun != "property") || (kind.Scope == KindScope.Body && !isBody))
                {
                    continue;
                }

                var id = Expand(kind.Template, side, noun);
                var templates = kind.Aliases.Count > 0 ? kind.Aliases : [kind.Template];
                var alias = FirstKnown(templates, side, isBody ? "property" : rootNoun);
                var rootAlias = isBody ? FirstKnown(templates, side, rootNoun) : null;
                var code = kind.Number < 100 ? $"AG{block}{kind.Number:00}" : $"AG{block - 4}{80 + kind.Number - 100:00}";
                table[(context, kind.Number)] = new DiffRule(id, code, level.Value, $"{Where(context)}: {kind.Summary}")
                {
                    Alias = alias,
                    RootAlias = rootAlias == alias ? null : rootAlias,
                };
            }
        }

        return table;
    }

    private static string Expand(string template, string side, string noun) =>
        template.Replace("{side}", side, StringComparison.Ordinal).Replace("{noun}", noun, StringComparison.Ordinal);

    private static string? FirstKnown(IEnumerable<string> templates, string side, string noun) =>
        templates.Select(t => Expand(t, side, noun)).FirstOrDefault(OasdiffCatalogue.Has);

    private static string Where(SchemaContext context) => context switch
    {
        SchemaContext.RequestParameter => "Request parameter",
        SchemaContext.RequestBody => "Request body",
        SchemaContext.ResponseBody => "Response body",
        _ => "Response header",
    };
}
