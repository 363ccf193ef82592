namespace Archgate.Model;

/// <summary>Where a <c>${...}</c> value of the manifest came from.</summary>
public enum SecretOrigin
{
    /// <summary>An environment variable that was set.</summary>
    Environment,

    /// <summary>The default written in the manifest (<c>${NAME:-default}</c>): the variable was not set.</summary>
    ManifestDefault,

    /// <summary>HashiCorp Vault (<c>${vault:MOUNT/data/PATH#KEY}</c>).</summary>
    Vault,

    /// <summary>AWS Secrets Manager (<c>${aws-sm:NAME#KEY}</c>).</summary>
    AwsSecretsManager,
}

/// <summary>One <c>${...}</c> reference of the manifest and where its value came from; never the value.</summary>
/// <param name="Path">Where in the manifest, for example <c>components.payments.run.env.SHOP_GATEWAY_API_KEY</c>.</param>
/// <param name="Line">1-based line in the manifest.</param>
/// <param name="Origin">Where the value came from.</param>
/// <param name="Reference">The variable's name, or the store reference as written (<c>vault:secret/data/shop#gatewayKey</c>).</param>
public sealed record SecretSource(string Path, int Line, SecretOrigin Origin, string Reference)
{
    /// <summary>How reports name the origin: <c>env</c>, <c>manifest default</c>, <c>vault</c>, <c>aws-sm</c>.</summary>
    public string OriginName => Origin switch
    {
        SecretOrigin.Environment => "env",
        SecretOrigin.ManifestDefault => "manifest default",
        SecretOrigin.Vault => "vault",
        _ => "aws-sm",
    };
}
