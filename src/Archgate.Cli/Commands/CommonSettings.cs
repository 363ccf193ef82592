using System.ComponentModel;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>Options every command understands.</summary>
internal class ArchgateSettings : CommandSettings
{
    [CommandOption("--verbose")]
    [Description("Show stack traces of internal errors.")]
    public bool Verbose { get; init; }
}

/// <summary>Options every command that uses the run store understands.</summary>
internal class StoreSettings : ArchgateSettings
{
    [CommandOption("--store <PATH>")]
    [Description("Run store (SQLite file). Default: .archgate/archgate.db")]
    public string Store { get; init; } = Archgate.Store.RunStore.DefaultPath;
}
