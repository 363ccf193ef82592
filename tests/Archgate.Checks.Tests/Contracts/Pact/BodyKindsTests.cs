using System.Text;
using Archgate.Checks.Contracts.Pact;

namespace Archgate.Checks.Tests.Contracts.Pact;

public sealed class BodyKindsTests
{
    [Theory]
    [InlineData("89504E470D0A1A0A0000000D", "image/png")]
    [InlineData("FFD8FFE000104A464946", "image/jpeg")]
    [InlineData("474946383961", "image/gif")]
    [InlineData("52494646000000005745425056503820", "image/webp")]
    [InlineData("255044462D312E37", "application/pdf")]
    [InlineData("504B0304140000000800", "application/zip")]
    [InlineData("1F8B0800", "application/gzip")]
    [InlineData("424D3A0000000000000036000000", "image/bmp")]
    [InlineData("00020304FF", "application/octet-stream")]
    public void Sniff_tells_a_content_type_by_its_magic_bytes(string hex, string type) =>
        Assert.Equal(type, BodyKinds.Sniff(Convert.FromHexString(hex)));

    [Theory]
    [InlineData("{ \"a\": 1 }", "application/json")]
    [InlineData("<?xml version=\"1.0\"?><a/>", "application/xml")]
    [InlineData("<!DOCTYPE html><html></html>", "text/html")]
    [InlineData("BMW and other cars", "text/plain")]
    [InlineData("{ not json", "text/plain")]
    public void Sniff_tells_text_kinds_apart(string text, string type) =>
        Assert.Equal(type, BodyKinds.Sniff(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Summary_gives_length_hash_and_a_short_hex_preview_never_the_bytes()
    {
        var bytes = new byte[1000];
        bytes[0] = 0xFF;

        var summary = BodyKinds.Summary(bytes);

        Assert.Equal("1000 bytes, SHA-256 " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)) + ", starting with ff000000000000000000000000000000…", summary);
    }

    [Theory]
    [InlineData("image/jpeg", true, false)]
    [InlineData("application/octet-stream", true, false)]
    [InlineData("application/pdf; x=1", true, false)]
    [InlineData("application/json", false, false)]
    [InlineData("application/problem+json", false, false)]
    [InlineData("text/xml; charset=utf-8", false, true)]
    [InlineData("application/atom+xml", false, true)]
    [InlineData("text/plain", false, false)]
    public void Content_types_are_binary_or_text_and_xml(string contentType, bool binary, bool xml)
    {
        Assert.Equal(binary, BodyKinds.IsBinary(contentType));
        Assert.Equal(xml, BodyKinds.IsXml(contentType));
    }
}
