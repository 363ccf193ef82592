namespace Archgate.Checks.Database;

/// <summary>Rule ids of step 3 (database integration); documented in docs/rules.md.</summary>
internal static class DatabaseRules
{
    /// <summary>The database does not accept a connection or does not answer <c>select 1</c>.</summary>
    public const string Unreachable = "AG3001";
}
