using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Contracts.Conformance;

namespace Archgate.Checks.Tests.Journeys;

public sealed class DateRangeTests
{
    private static OperationInfo Create(string properties)
    {
        var yaml = $$"""
            openapi: 3.1.0
            info: { title: t, version: 1.0.0 }
            paths:
              /things:
                post:
                  requestBody: { content: { application/json: { schema: { type: object, properties: {{properties}} } } } }
                  responses: { '201': { description: created } }
            """;
        return OperationInfo.All(ConformanceTestKit.LoadDocument(yaml)).Single();
    }

    [Theory]
    [InlineData("checkIn", "checkOut", "date", "2027-03-01", "2027-03-03")]
    [InlineData("check_in_date", "check_out_date", "date", "2027-03-01", "2027-03-03")]
    [InlineData("startsAt", "endsAt", "date-time", "2027-03-01T10:00:00Z", "2027-03-01T12:00:00Z")]
    [InlineData("validFrom", "validTo", "date", "2027-03-01", "2028-03-01")]
    [InlineData("from", "until", "date", "2027-03-01", "2027-03-05")]
    public void Two_dates_whose_names_differ_by_a_start_and_an_end_word_are_a_period(string start, string end, string format, string from, string to)
    {
        var create = Create($"{{ {start}: {{ type: string, format: {format} }}, {end}: {{ type: string, format: {format} }}, note: {{ type: string }} }}");
        var body = new JsonObject { [start] = from, [end] = to, ["note"] = "x" };

        var range = DateRange.Of(body, create);

        Assert.Equal(new DateRange(start, end, format == "date"), range);
    }

    [Theory]
    [InlineData("birthDate", "hireDate", "1990-01-01", "2020-01-01")] // two dates, no period
    [InlineData("checkIn", "checkOut", "2027-03-03", "2027-03-01")]   // the end before the start
    public void Dates_that_are_no_period_are_not_one(string start, string end, string from, string to)
    {
        var create = Create($"{{ {start}: {{ type: string, format: date }}, {end}: {{ type: string, format: date }} }}");

        Assert.Null(DateRange.Of(new JsonObject { [start] = from, [end] = to }, create));
    }

    [Fact]
    public void An_overlapping_period_moves_by_half_and_a_one_night_stay_arrives_a_day_earlier()
    {
        var range = new DateRange("checkIn", "checkOut", DateOnly: true);
        var four = new JsonObject { ["checkIn"] = "2027-03-01", ["checkOut"] = "2027-03-05" };
        var one = new JsonObject { ["checkIn"] = "2027-03-01", ["checkOut"] = "2027-03-02" };
        var hours = new DateRange("startsAt", "endsAt", DateOnly: false);
        var meeting = new JsonObject { ["startsAt"] = "2027-03-01T10:00:00Z", ["endsAt"] = "2027-03-01T12:00:00Z" };

        Assert.Equal("""{"checkIn":"2027-03-03","checkOut":"2027-03-07"}""", range.Overlapping(four).ToJsonString());
        Assert.Equal("""{"checkIn":"2027-02-28","checkOut":"2027-03-02"}""", range.Overlapping(one).ToJsonString());
        Assert.Equal("""{"checkIn":"2027-03-06","checkOut":"2027-03-10"}""", range.After(four).ToJsonString());
        Assert.Equal("""{"startsAt":"2027-03-01T11:00:00Z","endsAt":"2027-03-01T13:00:00Z"}""", hours.Overlapping(meeting).ToJsonString());
    }
}
