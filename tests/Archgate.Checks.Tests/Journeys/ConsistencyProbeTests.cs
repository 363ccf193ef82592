using Archgate.Checks.Frontend;
using Archgate.Checks.Journeys;
using Archgate.Model;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Which item of a <c>resources</c> mapping a journey's write names, for one-level and nested item paths.</summary>
public sealed class ConsistencyProbeTests
{
    private static readonly ResourceMapping Claims = new("/claims/{id}", "db", "claims", "id");
    private static readonly ResourceMapping Items = new("/claims/{id}/items/{itemId}", "db", "claim_items", "id");

    private static JourneyWrite Write(string method, string path, int status, string body = "{}", string? location = null) =>
        new(method, path, [], "{}", new ApiAnswer(method, new Uri($"http://127.0.0.1:1{path}"), status,
            location is null ? new Dictionary<string, string>() : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = location },
            body, TimeSpan.Zero, null));

    [Fact]
    public void A_nested_create_names_its_item_by_location_and_the_last_parameter_is_the_key()
    {
        var write = Write("POST", "/claims/11/items", 201, location: "/claims/11/items/12");

        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, write));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, write));
    }

    [Fact]
    public void A_nested_create_without_location_names_its_item_by_the_id_in_its_answer()
    {
        var write = Write("POST", "/claims/11/items", 201, """{"id":12,"description":"Hotel"}""");

        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, write));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, write));
    }

    [Fact]
    public void A_nested_update_names_its_item_by_its_own_path_and_a_one_level_path_still_matches()
    {
        Assert.Equal(("/claims/11/items/12", "12"), ConsistencyProbe.ItemPath(Items, Write("PATCH", "/claims/11/items/12?x=1", 200)));
        Assert.Equal(("/claims/11", "11"), ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims", 201, """{"id":11}""")));
        Assert.Equal(("/claims/11", "11"), ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims", 201, location: "http://127.0.0.1:1/claims/11")));
        Assert.Null(ConsistencyProbe.ItemPath(Claims, Write("POST", "/claims/11/submit", 200)));
    }

    [Fact]
    public void A_path_not_ending_in_a_parameter_is_said_to_be_unusable()
    {
        Assert.Null(ConsistencyProbe.Unusable(Items));
        Assert.Contains("does not end in a parameter", ConsistencyProbe.Unusable(new ResourceMapping("/claims/{id}/summary", "db", "s", "id")), StringComparison.Ordinal);
    }
}
