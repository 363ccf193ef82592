using System.Text.Json;

namespace Archgate.Checks.Faults;

/// <summary>
/// What Archgate did to a Toxiproxy server, written before it does it: a toxic added, a proxy disabled, and their undoing.
/// Toxiproxy outlives Archgate, so a <c>kill -9</c> in the middle of a check would leave its fault in place; the next
/// process reads what is still open here and undoes it before injecting anything (<see cref="ToxiproxyClient.CleanLeftoversAsync"/>).
/// One JSON object per line: <c>{"op":"add","proxy":"shop_payments","toxic":"archgate_latency_1"}</c>.
/// </summary>
public sealed class ToxiproxyJournal(string path)
{
    private static readonly Lock Gate = new();

    /// <summary>The journal file.</summary>
    public string Path { get; } = path;

    internal void Record(string op, string server, string proxy, string? toxic = null)
    {
        var line = JsonSerializer.Serialize(new Entry(op, server, proxy, toxic), JournalJson.Default.Entry);
        lock (Gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            using var writer = new StreamWriter(stream);
            writer.WriteLine(line);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Toxics added and not removed, and proxies disabled and not enabled again, on <paramref name="server"/>.</summary>
    internal (List<(string Proxy, string Toxic)> Toxics, List<string> Disabled) Open(string server)
    {
        var toxics = new List<(string, string)>();
        var disabled = new List<string>();
        string[] lines;
        lock (Gate)
        {
            lines = File.Exists(Path) ? File.ReadAllLines(Path) : [];
        }

        foreach (var line in lines)
        {
            Entry? entry;
            try
            {
                entry = JsonSerializer.Deserialize(line, JournalJson.Default.Entry);
            }
            catch (JsonException)
            {
                continue; // a line cut short by the kill: its fault was never sent
            }

            if (entry is null || entry.Server != server)
            {
                continue;
            }

            switch (entry.Op)
            {
                case "add" when entry.Toxic is not null:
                    toxics.Add((entry.Proxy, entry.Toxic));
                    break;
                case "remove" when entry.Toxic is not null:
                    toxics.Remove((entry.Proxy, entry.Toxic));
                    break;
                case "disable":
                    disabled.Add(entry.Proxy);
                    break;
                case "enable":
                    disabled.Remove(entry.Proxy);
                    break;
            }
        }

        return (toxics, disabled);
    }

    internal sealed record Entry(string Op, string Server, string Proxy, string? Toxic);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ToxiproxyJournal.Entry))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class JournalJson : System.Text.Json.Serialization.JsonSerializerContext;
