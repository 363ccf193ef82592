using Archgate.Checks.Contracts.AsyncApi;

namespace Archgate.Checks.Tests.Contracts.AsyncApi;

public sealed class AsyncApiDocumentTests
{
    private static string Shop => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "shop", "contracts", "shop-events.asyncapi.yaml");

    [Fact]
    public void The_shops_3_0_document_reads_with_its_channel_address_and_inlined_payload()
    {
        var document = AsyncApiDocument.Parse(File.ReadAllText(Shop));

        Assert.Empty(document.Problems);
        Assert.Equal("3.0.0", document.Version);
        var channel = Assert.Single(document.Channels);
        Assert.Equal("order.{status}", channel.Address);
        Assert.True(channel.Matches("order.paid"));
        Assert.False(channel.Matches("order.paid.late"));
        Assert.False(channel.Matches("customer.created"));
        var message = Assert.Single(channel.Messages);
        Assert.Equal("OrderEvent", message.Name);
        Assert.Equal("integer", message.Payload!["properties"]!["orderId"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void A_2_6_document_reads_publish_and_subscribe_messages_including_one_of()
    {
        var document = AsyncApiDocument.Parse("""
            asyncapi: 2.6.0
            info: { title: t, version: "1" }
            channels:
              user.signedup:
                subscribe:
                  message:
                    oneOf:
                      - { name: SignedUp, payload: { type: object, required: [id] } }
                      - $ref: '#/components/messages/Legacy'
            components:
              messages:
                Legacy: { payload: { type: string } }
            """);

        Assert.Empty(document.Problems);
        var channel = Assert.Single(document.Channels);
        Assert.Equal("user.signedup", channel.Address);
        Assert.Equal(["SignedUp", "Legacy"], channel.Messages.Select(m => m.Name));
    }

    [Fact]
    public void Problems_are_positioned_and_collected_without_stopping_at_the_first()
    {
        var document = AsyncApiDocument.Parse("""
            asyncapi: 3.0.0
            channels:
              a:
                address: a.created
                messages:
                  m: { $ref: '#/components/messages/Missing' }
              b:
                address: b.created
                messages:
                  m: { $ref: 'other.yaml#/components/messages/B' }
            """);

        Assert.Collection(document.Problems,
            p => Assert.Equal((1, 1, "missing 'info'"), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((6, 10, "reference '#/components/messages/Missing' points to nothing"), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((4, 5, "channel 'a' declares no message"), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((10, 10, "external reference 'other.yaml#/components/messages/B' is not supported"), (p.Line, p.Column, p.Message)),
            p => Assert.Equal((8, 5, "channel 'b' declares no message"), (p.Line, p.Column, p.Message)));
    }

    [Theory]
    [InlineData("asyncapi: 2.0.0\ninfo: { title: t, version: '1' }\nchannels: {}", 1, 11, "AsyncAPI 2.0.0 is not supported")]
    [InlineData("info: { title: t }", 1, 1, "missing 'asyncapi'")]
    [InlineData("asyncapi: 3.0.0\n  bad: [", 2, 6, "not YAML or JSON")]
    public void A_document_that_is_not_usable_says_where(string text, int line, int column, string message)
    {
        var problem = Assert.Single(AsyncApiDocument.Parse(text).Problems);

        Assert.Equal((line, column), (problem.Line, problem.Column));
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }
}
