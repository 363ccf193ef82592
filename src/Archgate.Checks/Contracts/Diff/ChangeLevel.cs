namespace Archgate.Checks.Contracts.Diff;

/// <summary>How much a change between two contract versions matters to existing clients. Ordered: <c>Info &lt; Warn &lt; Err</c>.</summary>
public enum ChangeLevel
{
    /// <summary>Not breaking: worth a changelog line (<c>INFO</c>).</summary>
    Info = 0,

    /// <summary>May break some clients; a person should look (<c>WARN</c>).</summary>
    Warn = 1,

    /// <summary>Breaks clients written against the old contract (<c>ERR</c>).</summary>
    Err = 2,
}

/// <summary>Text forms of <see cref="ChangeLevel"/> as they appear in reports and on the command line.</summary>
public static class ChangeLevels
{
    /// <summary><c>ERR</c>, <c>WARN</c> or <c>INFO</c>.</summary>
    public static string ToLabel(this ChangeLevel level) => level switch
    {
        ChangeLevel.Err => "ERR",
        ChangeLevel.Warn => "WARN",
        _ => "INFO",
    };

    /// <summary>Parses <c>ERR</c>, <c>WARN</c> or <c>INFO</c> (any case).</summary>
    public static bool TryParse(string? text, out ChangeLevel level)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "ERR" or "ERROR":
                level = ChangeLevel.Err;
                return true;
            case "WARN" or "WARNING":
                level = ChangeLevel.Warn;
                return true;
            case "INFO":
                level = ChangeLevel.Info;
                return true;
            default:
                level = ChangeLevel.Info;
                return false;
        }
    }
}
