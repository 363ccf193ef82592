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

/// <summary>Options of the commands that act on one run of the store.</summary>
internal class RunSettings : StoreSettings
{
    [CommandArgument(0, "<RUN_ID>")]
    [Description("The run: its id, a unique prefix, or 'last'")]
    public string RunId { get; init; } = string.Empty;

    /// <summary>The run's full id in <paramref name="store"/>, or null after telling the user that there is no such run.</summary>
    public string? ResolveRun(Archgate.Store.IRunStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.ResolveId(RunId) is { } id)
        {
            return id;
        }

        Console.Error.WriteLine($"archgate: no run '{RunId}' in {Store}");
        Console.Error.WriteLine("  hint: 'archgate runs' lists the runs; pass --store if they are in another store");
        return null;
    }
}
