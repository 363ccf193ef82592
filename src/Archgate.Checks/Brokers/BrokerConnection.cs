using System.Net.Sockets;
using Archgate.Model;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Brokers;

/// <summary>Opening an AMQP connection to a broker component and classifying why it failed, by exception type.</summary>
internal static class BrokerConnection
{
    /// <summary>How long opening a connection may take. <value>5 s</value>.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>AMQP reply codes (AMQP 0-9-1 section 1.9).</summary>
    public const ushort NotFound = 404;

    /// <summary>The object exists with other properties or arguments.</summary>
    public const ushort PreconditionFailed = 406;

    /// <summary>An exclusive queue of another connection.</summary>
    public const ushort ResourceLocked = 405;

    /// <summary>Opens a connection with the component's URI (credentials and virtual host included).</summary>
    public static Task<IConnection> OpenAsync(Component broker, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(broker.Connection!),
            ClientProvidedName = "archgate",
            RequestedConnectionTimeout = ConnectTimeout,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
        };
        return factory.CreateConnectionAsync(ct);
    }

    /// <summary>Why a connection failed: refused credentials or an unreachable broker, and whether trying again may help.</summary>
    public static (string Rule, string Cause, bool Transient) Classify(Exception ex)
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
    public static string Display(Component broker) => Redact.Url(broker.Connection ?? string.Empty);
}
