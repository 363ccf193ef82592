namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Tests that start the whole shop run one at a time: each takes free ports, but four processes each on a
/// shared 2-core machine are enough load for one test.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopCollection
{
    public const string Name = "shop";
}
