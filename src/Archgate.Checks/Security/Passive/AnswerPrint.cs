using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Archgate.Checks.Http;

namespace Archgate.Checks.Security.Passive;

/// <summary>
/// What tells two answers of one URL apart without keeping them: the status, a hash of the body when the exchange
/// holds all of it (text up to <see cref="ExchangeRecording.MaxBodyBytes"/>), the ETag and Content-Length, and
/// whether it sets a cookie. AG9063 uses it to see that an answer to a request with credentials is the one everybody
/// gets (a frontend's static file, sent the API's cookie because cookies ignore ports).
/// </summary>
internal readonly record struct AnswerPrint(int Status, UInt128? BodyHash, string? ETag, string? Length, bool SetsCookie)
{
    /// <summary>The print of <paramref name="e"/>; the body is hashed only when the exchange holds all of it.</summary>
    public static AnswerPrint Of(ObservedExchange e)
    {
        UInt128? hash = null;
        if (e.Body.Length > 0 && !e.BodyTruncated)
        {
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(e.Body), digest);
            hash = BinaryPrimitives.ReadUInt128LittleEndian(digest);
        }

        return new(e.Status, hash, e.Header("ETag"), e.Header("Content-Length"), e.Header("Set-Cookie") is not null);
    }

    /// <summary>
    /// Whether this answer (to a request with credentials) is <paramref name="anonymous"/>'s: same status and same
    /// body, or, where either body is not held in full (binary, longer than what is kept), the same ETag and length.
    /// An answer that sets a cookie is its user's own.
    /// </summary>
    public bool SameAs(AnswerPrint anonymous) =>
        !SetsCookie && Status == anonymous.Status
        && (BodyHash is not null && anonymous.BodyHash is not null
            ? BodyHash == anonymous.BodyHash
            : ETag is not null && ETag == anonymous.ETag && Length == anonymous.Length);
}
