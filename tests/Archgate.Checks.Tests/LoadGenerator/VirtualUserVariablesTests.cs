using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public sealed class VirtualUserVariablesTests
{
    [Fact]
    public void Uuid_is_one_value_per_iteration_and_differs_between_users_and_iterations()
    {
        var ann = new VirtualUserVariables(1);
        var bob = new VirtualUserVariables(2);
        ann.SetIteration(1);
        bob.SetIteration(1);

        var first = ann.Fill("note {vu}-{iteration}-{uuid}", json: false);
        Assert.Equal(first, ann.Fill("note {vu}-{iteration}-{uuid}", json: false)); // the steps of one iteration share it
        Assert.Matches("^note 1-1-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", first);
        Assert.NotEqual(first[^36..], bob.Fill("{uuid}", json: false));
        ann.SetIteration(2);
        Assert.NotEqual(first[^36..], ann.Fill("{uuid}", json: false));
    }

    [Fact]
    public void A_captured_number_fills_a_json_string_that_is_only_that_variable_as_the_number_and_text_is_escaped()
    {
        // json: { bookId: "{book}" } sent "1" to an API that checks types; a title with a quote broke the body.
        var capture = new LoadRequest("POST", "/books") { Captures = [new LoadCapture("book", LoadCaptureSource.JsonProperty, "id"), new LoadCapture("title", LoadCaptureSource.JsonProperty, "title")] };
        var loan = new LoadRequest("POST", "/loans")
        {
            Headers = [new("Content-Type", "application/json")],
            Body = """{"bookId":"{book}","note":"loan of {book}: {title}"}"""u8.ToArray(),
        };
        var form = loan with { Headers = [new("Content-Type", "application/x-www-form-urlencoded")], Body = "bookId={book}"u8.ToArray() };
        var target = new Uri("http://127.0.0.1:9/");
        var user = new VirtualUserVariables(1);
        var response = new ResponseCapture();
        System.Buffers.BuffersExtensions.Write(response.Body, """{"id":12,"title":"Dune \"Messiah\""}"""u8);

        user.Capture(new CompiledRequest(capture, 0, target), response);

        Assert.Equal("""{"bookId":12,"note":"loan of 12: Dune \"Messiah\""}""", System.Text.Encoding.UTF8.GetString(new CompiledRequest(loan, 1, target).RenderBody(user)!));
        Assert.Equal("bookId=12", System.Text.Encoding.UTF8.GetString(new CompiledRequest(form, 2, target).RenderBody(user)!));
        Assert.Equal("/books/12", user.Fill("/books/{book}", json: false));
    }

    [Fact]
    public void Capture_names_the_first_capture_that_found_nothing_and_keeps_what_the_others_found()
    {
        var request = new CompiledRequest(new LoadRequest("POST", "/orders")
        {
            Captures =
            [
                new LoadCapture("order", LoadCaptureSource.JsonProperty, "id"),
                new LoadCapture("etag", LoadCaptureSource.Header, "ETag"),
                new LoadCapture("status", LoadCaptureSource.JsonProperty, "status"),
            ],
        }, 0, new Uri("http://127.0.0.1:9/"));
        var user = new VirtualUserVariables(1);
        var found = new ResponseCapture();
        found.Headers.Add(new("etag", "\"v1\""));
        System.Buffers.BuffersExtensions.Write(found.Body, """{"order":{"id":7,"status":"placed"}}"""u8);
        var missing = new ResponseCapture();
        System.Buffers.BuffersExtensions.Write(missing.Body, """{"orderId":8,"status":"held"}"""u8);

        Assert.Equal(-1, user.Capture(request, found));
        Assert.Equal(0, user.Capture(request, missing));
        Assert.Equal("/orders/7 held", user.Fill("/orders/{order} {status}", json: false)); // the miss left 'order' as it was
    }

    [Fact]
    public void A_plan_may_use_uuid_without_capturing_it()
    {
        var plan = new LoadPlan(new Uri("http://127.0.0.1:9/"), [LoadJourney.OfRequest(new LoadRequest("POST", "/notes") { Body = """{"title":"t-{uuid}"}"""u8.ToArray() })]);

        Assert.Empty(plan.Validate());
    }
}
