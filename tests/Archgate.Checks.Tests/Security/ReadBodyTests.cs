using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Http;

namespace Archgate.Checks.Tests.Security;

/// <summary>An answer's body read by <see cref="ProbeHttp.ReadBodyAsync"/>: bounded, and what arrived when the connection closes mid-body.</summary>
public sealed class ReadBodyTests
{
    /// <summary>
    /// A server that reads the request line and headers only, answers <paramref name="head"/> and <paramref name="body"/>
    /// and then resets the connection (ex14's api: 413 to a 256 KiB upload it never read, then closed).
    /// </summary>
    private static async Task<(HttpResponseMessage Response, HttpClient Client)> AnswerAsync(string head, string body, bool reset)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[8192];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes(head + "\r\n\r\n" + body));
            await Task.Delay(200);
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0); // RST, as a server closing with unread input does
            }

            socket.Close();
            listener.Stop();
        });

        var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/reservations") { Content = new StringContent(new string('x', 256 * 1024)) };
        try
        {
            return (await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead), client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    [Fact]
    public async Task A_connection_reset_in_the_middle_of_a_413_body_gives_the_status_and_what_arrived()
    {
        var (response, client) = await AnswerAsync("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/problem+json\r\nContent-Length: 500", """{"title":"too large""", reset: true);
        using (client)
        using (response)
        {
            var body = await ProbeHttp.ReadBodyAsync(response.Content, 1024, CancellationToken.None);

            Assert.Equal(413, (int)response.StatusCode);
            Assert.True(body.Cut);
            Assert.Equal("""{"title":"too large""", body.Text);
        }
    }

    [Fact]
    public async Task A_body_over_the_bound_is_cut_at_it_and_said_to_be_over()
    {
        var (response, client) = await AnswerAsync("HTTP/1.1 200 OK\r\nContent-Length: 26", "abcdefghijklmnopqrstuvwxyz", reset: false);
        using (client)
        using (response)
        {
            var body = await ProbeHttp.ReadBodyAsync(response.Content, 10, CancellationToken.None);

            Assert.Equal(("abcdefghij", true, false), (body.Text, body.Over, body.Cut));
        }
    }
}
