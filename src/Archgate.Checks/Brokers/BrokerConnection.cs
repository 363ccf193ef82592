using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Brokers;

/// <summary>Opening an AMQP connection to a broker component and classifying why it failed, by exception type.</summary>
internal static class BrokerConnection
{
    /// <summary>AMQP reply codes (AMQP 0-9-1 section 1.9).</summary>
    public const ushort NotFound = 404;

    /// <summary>The object exists with other properties or arguments.</summary>
    public const ushort PreconditionFailed = 406;

    /// <summary>An exclusive queue of another connection.</summary>
    public const ushort ResourceLocked = 405;

    /// <summary>
    /// Opens a connection with the component's URI (credentials and virtual host included), or says why not: refused
    /// credentials or an unreachable broker. Cancellation by <paramref name="ct"/> propagates; a connect timeout (<c>checks.brokers.connectTimeout</c>) is a failure.
    /// </summary>
    public static async Task<BrokerOpening> TryOpenAsync(BrokerComponent broker, BrokerCheckOptions options, CancellationToken ct)
    {
        try
        {
            return new BrokerOpening(await OpenAsync(broker, options, ct), null);
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or IOException or OperationInterruptedException or TimeoutException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var (rule, cause, transient) = Classify(ex);
            return new BrokerOpening(null, new BrokerUnreachable(rule, cause, transient, Redact.Text(ex.InnerException?.Message ?? ex.Message)));
        }
    }

    private static Task<IConnection> OpenAsync(BrokerComponent broker, BrokerCheckOptions options, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(broker.Connection!),
            ClientProvidedName = "archgate",
            RequestedConnectionTimeout = options.ConnectTimeout,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        return factory.CreateConnectionAsync(ct);
    }

    /// <summary>Why a connection failed: refused credentials or an unreachable broker, and whether trying again may help.</summary>
    internal static (string Rule, string Cause, bool Transient) Classify(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationFailureException:
                    return (BrokerRules.AccessRefused, "the broker refused the credentials (ACCESS_REFUSED)", false);
                case OperationInterruptedException { ShutdownReason.ReplyCode: 530 or 403 } oie:
                    return (BrokerRules.AccessRefused, $"the broker refused the connection: {oie.ShutdownReason?.ReplyText}", false);
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return (BrokerRules.Unreachable, "connection refused", true);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData }:
                    return (BrokerRules.Unreachable, "host not found", false);
                case TimeoutException or OperationCanceledException:
                    return (BrokerRules.Unreachable, "timeout", true);
            }
        }

        return (BrokerRules.Unreachable, ex.GetType().Name, true);
    }

    /// <summary>The component's URI with its password masked, for findings.</summary>
    public static string Display(BrokerComponent broker) => Redact.Url(broker.Connection);
}

/// <summary>An open connection, or why there is none.</summary>
internal sealed record BrokerOpening(IConnection? Connection, BrokerUnreachable? Failure)
{
    /// <summary>True when no connection was opened (<see cref="Failure"/> says why).</summary>
    [MemberNotNullWhen(true, nameof(Failure))]
    [MemberNotNullWhen(false, nameof(Connection))]
    public bool Failed => Connection is null;
}

/// <summary>Why no AMQP connection opened: the rule (unreachable or access refused), the cause, whether trying again may help, the client's message (redacted).</summary>
internal sealed record BrokerUnreachable(string Rule, string Cause, bool Transient, string Evidence)
{
    /// <summary>The broker answered and refused the credentials or the virtual host.</summary>
    public bool AccessRefused => Rule == BrokerRules.AccessRefused;

    /// <summary>The failed result of a check that could not connect, with its one finding.</summary>
    public CheckResult Result(Finding finding) => new()
    {
        Status = CheckStatus.Fail,
        TransientCause = Transient ? Cause : null,
        Reachability = Reachability.Unreachable,
        Findings = [finding],
    };
}
