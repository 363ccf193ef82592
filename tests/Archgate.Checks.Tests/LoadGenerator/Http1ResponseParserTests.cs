using System.Buffers;
using System.Text;
using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public class Http1ResponseParserTests
{
    [Fact]
    public void A_content_length_body_is_read_exactly_and_the_connection_stays_open()
    {
        var (status, parser, body, consumed) = Feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA");

        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(200, parser.StatusCode);
        Assert.True(parser.KeepAlive);
        Assert.Equal("hello", body);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".Length, consumed);
    }

    [Fact]
    public void A_chunked_body_fed_one_byte_at_a_time_is_reassembled()
    {
        const string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var body = new ArrayBufferWriter<byte>();
        var pending = new List<byte>();
        var status = ParseStatus.NeedMoreData;
        foreach (var b in Encoding.ASCII.GetBytes(response))
        {
            pending.Add(b);
            status = parser.Parse(pending.ToArray(), out var consumed, body);
            pending.RemoveRange(0, consumed);
            if (status != ParseStatus.NeedMoreData)
            {
                break;
            }
        }

        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal("hello, world", Encoding.ASCII.GetString(body.WrittenSpan));
        Assert.Empty(pending);
    }

    [Fact]
    public void Connection_close_means_the_connection_is_not_reused()
    {
        var (status, parser, _, _) = Feed("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");

        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(503, parser.StatusCode);
        Assert.False(parser.KeepAlive);
    }

    [Fact]
    public void Http10_closes_unless_it_asks_for_keep_alive()
    {
        Assert.False(Feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").Parser.KeepAlive);
        Assert.True(Feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").Parser.KeepAlive);
    }

    [Fact]
    public void A_body_without_length_runs_until_the_server_closes()
    {
        var (status, parser, body, _) = Feed("HTTP/1.1 200 OK\r\n\r\npartial");

        Assert.Equal(ParseStatus.NeedMoreData, status);
        Assert.True(parser.ReadsUntilClose);
        Assert.Equal("partial", body);
        Assert.Equal(ParseStatus.Done, parser.Finish());
        Assert.False(parser.KeepAlive);
    }

    [Fact]
    public void A_response_cut_short_by_the_server_is_invalid()
    {
        var (status, parser, _, _) = Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");

        Assert.Equal(ParseStatus.NeedMoreData, status);
        Assert.Equal(ParseStatus.Invalid, parser.Finish());
    }

    [Fact]
    public void Head_and_204_responses_have_no_body_whatever_their_headers_say()
    {
        Assert.Equal(ParseStatus.Done, Feed("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", head: true).Status);
        Assert.Equal(ParseStatus.Done, Feed("HTTP/1.1 204 No Content\r\nContent-Length: 1234\r\n\r\n").Status);
    }

    [Fact]
    public void An_interim_100_continue_is_skipped_for_the_final_response()
    {
        var (status, parser, body, _) = Feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");

        Assert.Equal(ParseStatus.Done, status);
        Assert.Equal(201, parser.StatusCode);
        Assert.Equal("ok", body);
    }

    [Theory]
    [InlineData("SMTP/1.1 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    public void Malformed_responses_are_invalid(string response)
    {
        Assert.Equal(ParseStatus.Invalid, Feed(response).Status);
    }

    [Fact]
    public void Headers_are_collected_only_when_asked()
    {
        var parser = new Http1ResponseParser();
        parser.Reset(false);
        var headers = new List<KeyValuePair<string, string>>();
        parser.Parse("HTTP/1.1 200 OK\r\nX-Token:  abc \r\nContent-Length: 0\r\n\r\n"u8, out _, null, headers);

        Assert.Contains(new KeyValuePair<string, string>("X-Token", "abc"), headers);
    }

    private static (ParseStatus Status, Http1ResponseParser Parser, string Body, int Consumed) Feed(string response, bool head = false)
    {
        var parser = new Http1ResponseParser();
        parser.Reset(head);
        var body = new ArrayBufferWriter<byte>();
        var status = parser.Parse(Encoding.ASCII.GetBytes(response), out var consumed, body);
        return (status, parser, Encoding.ASCII.GetString(body.WrittenSpan), consumed);
    }
}
