using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Archgate.Checks.LoadGenerator;

/// <summary>Result of feeding bytes to the <see cref="Http1ResponseParser"/>.</summary>
internal enum ParseStatus
{
    /// <summary>The response is not complete; read more and feed the unconsumed rest again with it.</summary>
    NeedMoreData,

    /// <summary>The response is complete.</summary>
    Done,

    /// <summary>The bytes are not an HTTP/1.x response.</summary>
    Invalid,
}

/// <summary>
/// Incremental HTTP/1.1 response parser for the lean client: status line, headers, and a body framed by
/// Content-Length, chunked transfer coding, or the closing of the connection. Interim 1xx responses are
/// skipped. It never copies the body unless asked to.
/// </summary>
internal sealed class Http1ResponseParser
{
    /// <summary>Longest status, header or chunk-size line accepted.</summary>
    public const int MaxLineLength = 16 * 1024;

    private State _state;
    private long _remaining;
    private bool _head;
    private bool _http10;
    private bool _chunked;
    private long _contentLength;
    private bool? _connectionHeaderKeepAlive;

    private enum State
    {
        StatusLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done,
    }

    /// <summary>Status code of the final response.</summary>
    public int StatusCode { get; private set; }

    /// <summary>Whether the connection may carry the next request.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>Whether the body ends only when the server closes the connection.</summary>
    public bool ReadsUntilClose => _state == State.UntilClose;

    /// <summary>Starts a new response. <paramref name="headRequest"/>: the response has no body whatever its headers say.</summary>
    public void Reset(bool headRequest)
    {
        _state = State.StatusLine;
        _head = headRequest;
        StatusCode = 0;
        KeepAlive = false;
    }

    /// <summary>
    /// Parses as much of <paramref name="data"/> as it can. <paramref name="consumed"/> bytes are used;
    /// on <see cref="ParseStatus.NeedMoreData"/> keep the rest and append what is read next.
    /// Body bytes go to <paramref name="body"/>, headers to <paramref name="headers"/> and the values of <c>Set-Cookie</c>
    /// headers to <paramref name="setCookies"/> when given (those of an interim response are dropped).
    /// </summary>
    public ParseStatus Parse(ReadOnlySpan<byte> data, out int consumed, IBufferWriter<byte>? body = null, List<KeyValuePair<string, string>>? headers = null, List<string>? setCookies = null)
    {
        consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            switch (_state)
            {
                case State.Done:
                    return ParseStatus.Done;

                case State.StatusLine:
                {
                    var line = TakeLine(rest, out var used, out var status);
                    if (status != ParseStatus.Done)
                    {
                        return status;
                    }

                    consumed += used;
                    if (!ParseStatusLine(line))
                    {
                        return ParseStatus.Invalid;
                    }

                    _chunked = false;
                    _contentLength = -1;
                    _connectionHeaderKeepAlive = null;
                    headers?.Clear();
                    setCookies?.Clear();
                    _state = State.Headers;
                    break;
                }

                case State.Headers:
                {
                    var line = TakeLine(rest, out var used, out var status);
                    if (status != ParseStatus.Done)
                    {
                        return status;
                    }

                    consumed += used;
                    if (line.Length > 0)
                    {
                        if (!ParseHeader(line, headers, setCookies))
                        {
                            return ParseStatus.Invalid;
                        }

                        break;
                    }

                    StartBody();
                    break;
                }

                case State.Body:
                {
                    consumed += TakeRemaining(rest, body);
                    if (_remaining > 0)
                    {
                        return ParseStatus.NeedMoreData;
                    }

                    _state = State.Done;
                    break;
                }

                case State.ChunkSize:
                {
                    var line = TakeLine(rest, out var used, out var status);
                    if (status != ParseStatus.Done)
                    {
                        return status;
                    }

                    consumed += used;
                    var semicolon = line.IndexOf((byte)';');
                    var hex = (semicolon < 0 ? line : line[..semicolon]).Trim(" \t"u8);
                    if (hex.Length == 0 || hex.Length > 15 || !Utf8Parser.TryParse(hex, out long size, out var hexUsed, 'x') || hexUsed != hex.Length)
                    {
                        return ParseStatus.Invalid;
                    }

                    _remaining = size;
                    _state = size == 0 ? State.Trailers : State.ChunkData;
                    break;
                }

                case State.ChunkData:
                {
                    consumed += TakeRemaining(rest, body);
                    if (_remaining > 0)
                    {
                        return ParseStatus.NeedMoreData;
                    }

                    _state = State.ChunkDataEnd;
                    break;
                }

                case State.ChunkDataEnd:
                {
                    if (rest.Length < 2)
                    {
                        return ParseStatus.NeedMoreData;
                    }

                    if (rest[0] != '\r' || rest[1] != '\n')
                    {
                        return ParseStatus.Invalid;
                    }

                    consumed += 2;
                    _state = State.ChunkSize;
                    break;
                }

                case State.Trailers:
                {
                    var line = TakeLine(rest, out var used, out var status);
                    if (status != ParseStatus.Done)
                    {
                        return status;
                    }

                    consumed += used;
                    if (line.Length == 0)
                    {
                        _state = State.Done;
                    }

                    break;
                }

                case State.UntilClose:
                    body?.Write(rest);
                    consumed += rest.Length;
                    return ParseStatus.NeedMoreData;
            }
        }
    }

    /// <summary>The server closed the connection: completes a body that runs until close, otherwise the response is cut short.</summary>
    public ParseStatus Finish()
    {
        if (_state == State.UntilClose)
        {
            _state = State.Done;
            return ParseStatus.Done;
        }

        return _state == State.Done ? ParseStatus.Done : ParseStatus.Invalid;
    }

    /// <summary>Copies up to the bytes still expected (of a body or a chunk) and returns how many it took.</summary>
    private int TakeRemaining(ReadOnlySpan<byte> rest, IBufferWriter<byte>? body)
    {
        var n = (int)Math.Min(_remaining, rest.Length);
        body?.Write(rest[..n]);
        _remaining -= n;
        return n;
    }

    private static ReadOnlySpan<byte> TakeLine(ReadOnlySpan<byte> data, out int used, out ParseStatus status)
    {
        var lf = data.IndexOf((byte)'\n');
        if (lf < 0)
        {
            used = 0;
            status = data.Length > MaxLineLength ? ParseStatus.Invalid : ParseStatus.NeedMoreData;
            return default;
        }

        used = lf + 1;
        status = ParseStatus.Done;
        var line = data[..lf];
        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }

    private bool ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // HTTP/1.1 200 OK
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ')
        {
            return false;
        }

        _http10 = line[7] == '0';
        if (!Utf8Parser.TryParse(line.Slice(9, 3), out int code, out var used) || used != 3 || code < 100)
        {
            return false;
        }

        StatusCode = code;
        return line.Length == 12 || line[12] == ' ';
    }

    private bool ParseHeader(ReadOnlySpan<byte> line, List<KeyValuePair<string, string>>? headers, List<string>? setCookies)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8);
        headers?.Add(new(Encoding.ASCII.GetString(name), Encoding.UTF8.GetString(value)));
        if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
        {
            if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0)
            {
                return false;
            }

            _contentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
        {
            // chunked must be the last coding; anything else is read until close.
            var lastComma = value.LastIndexOf((byte)',');
            var last = (lastComma < 0 ? value : value[(lastComma + 1)..]).Trim(" \t"u8);
            _chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
            if (!_chunked)
            {
                _contentLength = -2;
            }
        }
        else if (setCookies is not null && Ascii.EqualsIgnoreCase(name, "set-cookie"u8))
        {
            setCookies.Add(Encoding.UTF8.GetString(value));
        }
        else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
        {
            if (ContainsToken(value, "close"u8))
            {
                _connectionHeaderKeepAlive = false;
            }
            else if (ContainsToken(value, "keep-alive"u8))
            {
                _connectionHeaderKeepAlive ??= true;
            }
        }

        return true;
    }

    private void StartBody()
    {
        if (StatusCode is >= 100 and < 200 && StatusCode != 101)
        {
            // Interim response (100 Continue, 103 Early Hints): the real one follows.
            _state = State.StatusLine;
            return;
        }

        KeepAlive = _connectionHeaderKeepAlive ?? !_http10;
        if (_head || StatusCode is 204 or 304 || StatusCode is >= 100 and < 200)
        {
            _state = State.Done;
        }
        else if (_chunked)
        {
            _state = State.ChunkSize;
        }
        else if (_contentLength >= 0)
        {
            _remaining = _contentLength;
            _state = _contentLength == 0 ? State.Done : State.Body;
        }
        else
        {
            KeepAlive = false;
            _state = State.UntilClose;
        }
    }

    private static bool ContainsToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
