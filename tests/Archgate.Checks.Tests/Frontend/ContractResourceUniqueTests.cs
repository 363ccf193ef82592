using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Tests.Contracts.Conformance;

namespace Archgate.Checks.Tests.Frontend;

public sealed class ContractResourceUniqueTests
{
    private static OperationInfo Create(string properties) =>
        OperationInfo.All(ConformanceTestKit.LoadDocument($$"""
            openapi: 3.1.0
            info: { title: t, version: 1.0.0 }
            paths:
              /invoices:
                post:
                  requestBody: { content: { application/json: { schema: { type: object, properties: {{properties}} } } } }
                  responses: { '201': { description: created } }
            """)).Single();

    [Fact]
    public void An_identifier_with_a_pattern_gets_new_digits_that_still_match_and_an_amount_keeps_its_value()
    {
        // ex15: the invoice number INV-900001 (pattern ^[A-Z]{2,5}-[0-9]{3,8}$) kept its value, so every create after
        // step 2's answered 409 and step 9's property-level creates of POST /invoices judged nothing.
        var create = Create("{ number: { type: string, pattern: '^[A-Z]{2,5}-[0-9]{3,8}$' }, total: { type: string, pattern: '^[0-9]{1,10}\\.[0-9]{2}$' }, currency: { type: string, enum: [EUR, USD] }, note: { type: string } }");
        var body = new JsonObject { ["number"] = "INV-900001", ["total"] = "12.50", ["currency"] = "EUR", ["note"] = "hello" };

        var unique = (JsonObject)ContractResource.Unique(body, create)!;

        Assert.Matches(new Regex("^INV-[0-9]{6}$"), unique["number"]!.ToString());
        Assert.NotEqual("INV-900001", unique["number"]!.ToString());
        Assert.Equal("12.50", unique["total"]!.ToString());
        Assert.Equal("EUR", unique["currency"]!.ToString());
        Assert.StartsWith("hello-", unique["note"]!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SKU-1", "^SKU-1$")]      // the pattern admits this value only
    [InlineData("ABC", "^[A-Z]+$")]       // no digit to draw
    [InlineData("A1", "([")]              // a pattern .NET cannot read
    public void An_identifier_whose_pattern_admits_no_other_digits_keeps_its_value(string text, string pattern)
    {
        Assert.Null(ContractResource.OtherDigits(text, pattern));
    }
}
