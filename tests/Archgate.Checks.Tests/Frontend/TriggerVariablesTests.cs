using Archgate.Checks.Http;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>A realtime trigger's variables: the identity's token and a new UUID each send (ex14: a booking could be triggered once only).</summary>
public sealed class TriggerVariablesTests
{
    [Fact]
    public void Each_send_of_a_trigger_gets_its_own_uuid_and_the_token()
    {
        const string Body = """{"roomId":1,"reference":"{uuid}","note":"by {token}","other":"{vu}"}""";

        var first = TemplateVariables.Fill(Body, TemplateVariables.ForTrigger("tok-1"), json: true);
        var second = TemplateVariables.Fill(Body, TemplateVariables.ForTrigger("tok-1"), json: true);

        Assert.NotEqual(first, second);
        Assert.Matches("""^\{"roomId":1,"reference":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}","note":"by tok-1","other":"\{vu\}"\}$""", first);
    }
}
