namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>Tests that start the shop on its manifest's fixed ports (7001-7301) run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ShopCollection
{
    public const string Name = "shop";
}
