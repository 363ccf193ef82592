using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Conformance;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Strings generated for a JSON Schema pattern match it, for every kind of value, within the lengths asked.</summary>
public sealed class PatternGeneratorTests
{
    [Theory]
    [InlineData(@"^CR[0-9a-fA-F]{32}$")]
    [InlineData(@"^[A-Z]{3}-\d{4}(-[a-z]{2,3})?$")]
    [InlineData(@"^\+?[1-9]\d{1,14}$")]
    [InlineData(@"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")]
    [InlineData(@"^(?:[01]\d|2[0-3]):[0-5]\d$")]
    [InlineData(@"^[^\s,]+$")]
    [InlineData(@"^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])$")]
    [InlineData(@"^\p{L}+$")]
    [InlineData(@"[a-z]")]
    [InlineData(@"^\w+\.\w+$")]
    [InlineData(@"^\u00e9t\x41$")]
    [InlineData(@"^[\d-]{3,5}$")]
    [InlineData(@"^(ab|cd)*?x+$")]
    [InlineData(@"^[a-z]{2}_[A-Z]{2}$|^[a-z]{2}$")]
    [InlineData(@"^\b\d{2}\b-\B-$")]
    [InlineData(@"^[\]\[]{2}\{x\}$")]
    public void Every_kind_of_value_matches_the_pattern(string pattern)
    {
        foreach (var kind in Enum.GetValues<ValueKind>())
        {
            var value = PatternGenerator.Generate(pattern, kind);

            Assert.NotNull(value);
            Assert.True(Regex.IsMatch(value, pattern), $"{kind}: '{value}' does not match {pattern}");
        }
    }

    [Fact]
    public void The_minimum_is_as_short_and_the_maximum_as_long_as_the_lengths_allow()
    {
        Assert.Equal("aaaaa", PatternGenerator.Generate("^[a-z]+$", ValueKind.Minimum, 5, 7));
        Assert.Equal("aaaaaaa", PatternGenerator.Generate("^[a-z]+$", ValueKind.Maximum, 5, 7));
        Assert.Equal("CR" + new string('a', 32), PatternGenerator.Generate("^CR[0-9a-fA-F]{32}$", ValueKind.Example));
        Assert.Null(PatternGenerator.Generate("^[a-z]{3}$", ValueKind.Example, 5, 7)); // no string fits both
    }

    [Theory]
    [InlineData(@"^(?!abc).*$")]
    [InlineData(@"^(a)\1$")]
    [InlineData(@"^(?i)abc$")]
    [InlineData(@"^(abc$")]
    public void Lookarounds_backreferences_flags_and_broken_patterns_give_null_so_the_caller_falls_back(string pattern)
    {
        Assert.Null(PatternGenerator.Generate(pattern, ValueKind.Example));
    }
}
