using System.Globalization;
using System.Text.Json;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Store;

/// <summary>
/// Escalations and their deliveries. An escalation row changes only to rise a level or to be acknowledged (both
/// conditional updates, so two ticks or a tick and an ack cannot both win); deliveries are appended.
/// </summary>
public sealed partial class RunStore
{
    /// <inheritdoc />
    public void AddEscalation(EscalationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO escalations (id, run_id, system, trigger, source, start_level, level, message, components, evidence, report, raised_by, raised_at, level_since)
                VALUES ($id, $run, $system, $trigger, $source, $start, $level, $message, $components, $evidence, $report, $by, $raised, $since)
                """;
            cmd.Parameters.AddWithValue("$id", record.Id);
            cmd.Parameters.AddWithValue("$run", record.RunId);
            cmd.Parameters.AddWithValue("$system", record.System);
            cmd.Parameters.AddWithValue("$trigger", record.Trigger);
            cmd.Parameters.AddWithValue("$source", record.Source);
            cmd.Parameters.AddWithValue("$start", record.StartLevel);
            cmd.Parameters.AddWithValue("$level", record.Level);
            cmd.Parameters.AddWithValue("$message", record.Message);
            cmd.Parameters.AddWithValue("$components", JsonSerializer.Serialize(record.Components, ArchgateJson.Compact));
            cmd.Parameters.AddWithValue("$evidence", JsonSerializer.Serialize(record.Evidence, ArchgateJson.Compact));
            cmd.Parameters.AddWithValue("$report", (object?)record.Report ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$by", (object?)record.RaisedBy ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$raised", record.RaisedAt.ToString("O"));
            cmd.Parameters.AddWithValue("$since", record.LevelSince.ToString("O"));
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<EscalationRecord> Escalations(string? runId = null) =>
        ReadEscalations("($key IS NULL OR run_id = $key) ORDER BY raised_at, rowid", runId);

    /// <inheritdoc />
    public EscalationRecord? FindEscalation(string idOrPrefix)
    {
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        var exact = ReadEscalations("id = $key", idOrPrefix);
        if (exact.Count == 1)
        {
            return exact[0];
        }

        var matches = ReadEscalations("id LIKE $key ESCAPE '\\' ORDER BY id LIMIT 2",
            idOrPrefix.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <inheritdoc />
    public bool AcknowledgeEscalation(string id, string by, string? note, DateTimeOffset at)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "UPDATE escalations SET acked_by = $by, acked_at = $at, ack_note = $note WHERE id = $id AND acked_by IS NULL";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$by", by);
            cmd.Parameters.AddWithValue("$at", at.ToString("O"));
            cmd.Parameters.AddWithValue("$note", (object?)note ?? DBNull.Value);
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <inheritdoc />
    public bool RaiseEscalationLevel(string id, int from, DateTimeOffset at)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "UPDATE escalations SET level = $from + 1, level_since = $at WHERE id = $id AND level = $from AND acked_by IS NULL AND $from < 4";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$from", from);
            cmd.Parameters.AddWithValue("$at", at.ToString("O"));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <inheritdoc />
    public void AddEscalationNotice(string escalationId, EscalationNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO escalation_notices (escalation_id, level, channel, target, recipients, attempts, delivered, error, at)
                VALUES ($id, $level, $channel, $target, $recipients, $attempts, $delivered, $error, $at)
                """;
            cmd.Parameters.AddWithValue("$id", escalationId);
            cmd.Parameters.AddWithValue("$level", notice.Level);
            cmd.Parameters.AddWithValue("$channel", notice.Channel);
            cmd.Parameters.AddWithValue("$target", notice.Target);
            cmd.Parameters.AddWithValue("$recipients", JsonSerializer.Serialize(notice.Recipients, ArchgateJson.Compact));
            cmd.Parameters.AddWithValue("$attempts", notice.Attempts);
            cmd.Parameters.AddWithValue("$delivered", notice.Delivered ? 1 : 0);
            cmd.Parameters.AddWithValue("$error", (object?)notice.Error ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$at", notice.At.ToString("O"));
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public DateTimeOffset? FirstRunStartedAt(string system)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT started_at FROM runs WHERE system = $system ORDER BY started_at LIMIT 1";
            cmd.Parameters.AddWithValue("$system", system);
            return cmd.ExecuteScalar() is string text ? Time(text) : null;
        }
    }

    private List<EscalationRecord> ReadEscalations(string where, string? key)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = $"""
                SELECT id, run_id, system, trigger, source, start_level, level, message, components, evidence, report, raised_by,
                       raised_at, level_since, acked_by, acked_at, ack_note
                FROM escalations WHERE {where}
                """;
            cmd.Parameters.AddWithValue("$key", (object?)key ?? DBNull.Value);
            var list = new List<EscalationRecord>();
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    list.Add(new EscalationRecord
                    {
                        Id = reader.GetString(0),
                        RunId = reader.GetString(1),
                        System = reader.GetString(2),
                        Trigger = reader.GetString(3),
                        Source = reader.GetString(4),
                        StartLevel = reader.GetInt32(5),
                        Level = reader.GetInt32(6),
                        Message = reader.GetString(7),
                        Components = Strings(reader.GetString(8)),
                        Evidence = Strings(reader.GetString(9)),
                        Report = Text(reader, 10),
                        RaisedBy = Text(reader, 11),
                        RaisedAt = Time(reader.GetString(12)),
                        LevelSince = Time(reader.GetString(13)),
                        AckedBy = Text(reader, 14),
                        AckedAt = Text(reader, 15) is { } acked ? Time(acked) : null,
                        AckNote = Text(reader, 16),
                    });
                }
            }

            return [.. list.Select(e => e with { Notices = NoticesOf(e.Id) })];
        }
    }

    private List<EscalationNotice> NoticesOf(string id)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT level, channel, target, recipients, attempts, delivered, error, at FROM escalation_notices WHERE escalation_id = $id ORDER BY rowid";
        cmd.Parameters.AddWithValue("$id", id);
        var list = new List<EscalationNotice>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            list.Add(new EscalationNotice(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), Strings(reader.GetString(3)),
                reader.GetInt32(4), reader.GetInt32(5) != 0, Text(reader, 6), Time(reader.GetString(7))));
        }

        return list;
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static List<string> Strings(string json) => JsonSerializer.Deserialize<List<string>>(json, ArchgateJson.Compact) ?? [];
}
