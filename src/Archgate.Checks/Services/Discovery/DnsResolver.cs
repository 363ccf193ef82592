using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Archgate.Model;
using DnsClient;
using DnsClient.Protocol;

namespace Archgate.Checks.Services.Discovery;

/// <summary>
/// Instances from DNS: every A/AAAA address of a name on one port, or every SRV record's target and port (a
/// Kubernetes headless service publishes both). SRV targets are resolved through the same server, from the answer's
/// additional records when it gave them.
/// </summary>
internal static class DnsResolver
{
    /// <summary>How long one DNS query may take. <value>3 s</value>.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<DiscoveredInstance>> ResolveAsync(DnsDiscovery spec, Uri? componentUrl, CancellationToken cancellationToken)
    {
        var client = Client(spec.Server);
        try
        {
            if (spec.Kind == DnsRecordKind.Srv)
            {
                var srv = await QueryAsync(client, spec.Name, QueryType.SRV, cancellationToken);
                var result = new List<DiscoveredInstance>();
                foreach (var record in srv.Answers.SrvRecords().OrderBy(r => r.Priority).ThenBy(r => r.Target.Value, StringComparer.Ordinal).ThenBy(r => r.Port))
                {
                    var target = record.Target.Value.TrimEnd('.');
                    var addresses = srv.Additionals.OfType<AddressRecord>().Where(a => a.DomainName.Value.TrimEnd('.') == target).Select(a => a.Address).ToList();
                    if (addresses.Count == 0)
                    {
                        addresses = await AddressesAsync(client, target, cancellationToken);
                    }

                    if (addresses.Count == 0)
                    {
                        throw new DiscoveryException($"SRV target {target} of {spec.Name} has no A or AAAA record", transient: false);
                    }

                    result.Add(new DiscoveredInstance(Url(spec.Scheme, addresses[0], record.Port), $"{target}:{record.Port}", null, null));
                }

                return result;
            }

            var port = spec.Port ?? componentUrl?.Port ?? (spec.Scheme == "https" ? 443 : 80);
            return [.. (await AddressesAsync(client, spec.Name, cancellationToken)).Select(a => new DiscoveredInstance(Url(spec.Scheme, a, port), a.ToString(), null, null))];
        }
        catch (DnsResponseException ex)
        {
            throw new DiscoveryException($"DNS query for {spec.Name} failed: {ex.Code}", transient: ex.Code is DnsResponseCode.ConnectionTimeout or DnsResponseCode.ServerFailure, ex);
        }
    }

    private static LookupClient Client(string? server)
    {
        if (server is null)
        {
            return new LookupClient(new LookupClientOptions { UseCache = false, Timeout = QueryTimeout, Retries = 1 });
        }

        var colon = server.LastIndexOf(':');
        var host = server[..colon].Trim('[', ']');
        var port = int.Parse(server[(colon + 1)..], CultureInfo.InvariantCulture);
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
        return new LookupClient(new LookupClientOptions(new NameServer(address, port)) { UseCache = false, Timeout = QueryTimeout, Retries = 1, UseTcpFallback = true });
    }

    private static async Task<IDnsQueryResponse> QueryAsync(LookupClient client, string name, QueryType type, CancellationToken cancellationToken)
    {
        var response = await client.QueryAsync(name, type, QueryClass.IN, cancellationToken);
        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DiscoveryException($"DNS {type} query for {name} answered {response.ErrorMessage}", transient: response.Header.ResponseCode == DnsHeaderResponseCode.ServerFailure);
        }

        return response;
    }

    /// <summary>
    /// A and AAAA records of a name. One family failing is not an error when the other answers (a server authoritative
    /// only for A records, as dnsmasq without upstream, refuses AAAA queries).
    /// </summary>
    private static async Task<List<IPAddress>> AddressesAsync(LookupClient client, string name, CancellationToken cancellationToken)
    {
        var addresses = new List<IPAddress>();
        DiscoveryException? failure = null;
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            try
            {
                var response = await QueryAsync(client, name, type, cancellationToken);
                addresses.AddRange(response.Answers.ARecords().Select(a => a.Address).Concat(response.Answers.AaaaRecords().Select(a => a.Address)));
            }
            catch (DiscoveryException ex)
            {
                failure ??= ex;
            }
        }

        return addresses.Count == 0 && failure is not null ? throw failure : [.. addresses.Distinct()];
    }

    private static Uri Url(string scheme, IPAddress address, int port) =>
        new($"{scheme}://{(address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{port.ToString(CultureInfo.InvariantCulture)}");
}
