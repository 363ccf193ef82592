using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// How the inline members of a oneOf/anyOf are paired across versions: an identical member wherever it stands, then the
/// most alike by shape, then by position; what stays unpaired was removed or added.
/// </summary>
public class MemberMatcherTests
{
    private const string Hold = "{type: object, required: [holdId], properties: {holdId: {type: integer, minimum: 1, example: 1}}}";
    private const string Event = "{type: object, required: [eventId], properties: {eventId: {type: integer, minimum: 1, example: 2}}}";
    private const string Seat = "{type: object, required: [seatId], properties: {seatId: {type: string}}}";

    private static string Body(string union) => Doc($$"""
        /orders:
          post:
            requestBody:
              required: true
              content:
                application/json:
                  schema: {{union}}
            responses:
              '201': {description: created}
        """);

    [Theory]
    [InlineData("oneOf")]
    [InlineData("anyOf")]
    public async Task Reordered_identical_inline_members_are_no_change(string keyword)
    {
        // ex11's POST /orders: the same two alternatives of tickets-api, in swapped order, were 2 ERR and 1 WARN.
        var report = await DiffAsync(Body($"{{{keyword}: [{Hold}, {Event}]}}"), Body($"{{{keyword}: [{Event}, {Hold}]}}"));

        Assert.True(report.Changes.Count == 0, Show(report));
    }

    [Fact]
    public async Task A_member_changed_after_reordering_reports_only_its_change()
    {
        var changedEvent = Event.Replace("minimum: 1", "minimum: 5", StringComparison.Ordinal);
        var report = await DiffAsync(Body($"{{oneOf: [{Hold}, {Event}, {Seat}]}}"), Body($"{{oneOf: [{Seat}, {changedEvent}, {Hold}]}}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal("request-property-min-increased", change.RuleId);
        Assert.Equal("request body application/json $.oneOf[1].eventId", change.Location);
    }

    [Fact]
    public async Task Members_that_all_changed_are_paired_by_their_required_properties_not_their_position()
    {
        var hold = Hold.Replace("minimum: 1", "minimum: 2", StringComparison.Ordinal);
        var @event = Event.Replace("properties: {", "properties: {quantity: {type: integer}, ", StringComparison.Ordinal);
        var report = await DiffAsync(Body($"{{oneOf: [{Hold}, {Event}]}}"), Body($"{{oneOf: [{@event}, {hold}]}}"));

        Assert.Equal(
            ["new-optional-request-property request body application/json $.oneOf[1].quantity", "request-property-min-increased request body application/json $.oneOf[0].holdId"],
            report.Changes.Select(c => $"{c.RuleId} {c.Location}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_removed_member_is_still_reported_when_the_others_were_reordered()
    {
        var report = await DiffAsync(Body($"{{oneOf: [{Hold}, {Event}, {Seat}]}}"), Body($"{{oneOf: [{Seat}, {Hold}]}}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal("request-property-one-of-removed", change.RuleId);
        Assert.Equal(ChangeLevel.Err, change.Level);
        Assert.Contains("oneOf member 1 was removed", change.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_added_member_is_still_reported_when_the_others_were_reordered()
    {
        var report = await DiffAsync(Body($"{{anyOf: [{Hold}, {Event}]}}"), Body($"{{anyOf: [{Event}, {Seat}, {Hold}]}}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal("request-property-any-of-added", change.RuleId);
        Assert.Contains("anyOf member 1 was added", change.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Members_alike_in_nothing_are_still_paired_by_position()
    {
        var report = await DiffAsync(Body("{oneOf: [{type: string}, {type: object, required: [holdId], properties: {holdId: {type: integer}}}]}"),
            Body("{oneOf: [{type: boolean}, {type: object, required: [holdId], properties: {holdId: {type: integer}}}]}"));

        var change = Assert.Single(report.Changes);
        Assert.Equal("request-property-type-changed", change.RuleId);
        Assert.Equal("request body application/json $.oneOf[0]", change.Location);
    }
}
