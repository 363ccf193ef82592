namespace Archgate.Core.Tests;

public sealed class PrintableTests
{
    [Theory]
    [InlineData("api\u001b[2J", "api\\e[2J")]
    [InlineData("a\u0000b\u0007c\u007f\u0085", "a\\0b\\x07c\\x7f\\x85")]
    [InlineData("two\nlines\r\ttab", "two\\nlines\\r\\ttab")]
    [InlineData("emoji \U0001F600 and ünïcödé stay", "emoji \U0001F600 and ünïcödé stay")]
    public void Escape_makes_every_control_character_visible(string text, string expected) =>
        Assert.Equal(expected, Printable.Escape(text));

    [Fact]
    public void Escape_makes_what_xml_cannot_carry_visible()
    {
        // Built at run time: an attribute argument cannot hold a lone surrogate.
        var text = "lone " + (char)0xD800 + " surrogate " + (char)0xFFFE;

        Assert.Equal("lone \\ud800 surrogate \\ufffe", Printable.Escape(text));
    }

    [Fact]
    public void EscapeLines_keeps_line_feeds_and_tabs_but_not_a_bare_carriage_return() =>
        Assert.Equal("a\n\tb\nc\\rd \\e", Printable.EscapeLines("a\r\n\tb\nc\rd \u001b"));

    [Fact]
    public void IndexOfControl_ignores_tab_and_line_breaks()
    {
        Assert.Equal(-1, Printable.IndexOfControl("a\tb\r\nc"));
        Assert.Equal(1, Printable.IndexOfControl("a\u001bb"));
    }
}
