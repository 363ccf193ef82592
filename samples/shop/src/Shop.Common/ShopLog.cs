using Microsoft.Extensions.Logging;

namespace Shop.Common;

internal static partial class ShopLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Fault switch {Fault} is ON: this process plants a defect on purpose")]
    public static partial void FaultActive(ILogger logger, string fault);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
