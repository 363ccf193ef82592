using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archgate.Protocol;

namespace Archgate.Store;

/// <summary>
/// Reviews and sign-offs: one append-only hash chain per run. Each record's stored text (compact JSON, without its
/// hash) names the previous record's hash; its own hash is the SHA-256 of that text. Triggers refuse UPDATE and
/// DELETE; a record edited behind the store's back breaks its chain, which <see cref="VerifySignoffs"/> finds.
/// </summary>
public sealed partial class RunStore
{
    /// <summary>The previous hash of a run's first record.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <inheritdoc />
    public SignoffRecord? AppendSignoff(SignoffRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var seq = 1;
            var previous = GenesisHash;
            using (var last = _connection.CreateCommand())
            {
                last.Transaction = tx;
                last.CommandText = "SELECT seq, hash FROM signoffs WHERE run_id = $run ORDER BY seq DESC LIMIT 1";
                last.Parameters.AddWithValue("$run", record.RunId);
                using var reader = last.ExecuteReader();
                if (reader.Read())
                {
                    seq = reader.GetInt32(0) + 1;
                    previous = reader.GetString(1);
                }
            }

            if (!string.Equals(record.PreviousHash, previous, StringComparison.Ordinal))
            {
                return null; // another record came first: the caller judged against an old head
            }

            var stored = record with { Seq = seq, PreviousHash = previous, Hash = null };
            var body = JsonSerializer.Serialize(stored, ArchgateJson.Compact);
            var hash = HashOf(body);
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = tx;
                insert.CommandText = "INSERT INTO signoffs (run_id, seq, system, body, hash) VALUES ($run, $seq, $system, $body, $hash)";
                insert.Parameters.AddWithValue("$run", record.RunId);
                insert.Parameters.AddWithValue("$seq", seq);
                insert.Parameters.AddWithValue("$system", record.System);
                insert.Parameters.AddWithValue("$body", body);
                insert.Parameters.AddWithValue("$hash", hash);
                insert.ExecuteNonQuery();
            }

            tx.Commit();
            return stored with { Hash = hash };
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<SignoffRecord> Signoffs(string runId) => ReadSignoffs("run_id = $key ORDER BY seq", runId);

    /// <inheritdoc />
    public IReadOnlyList<SignoffRecord> SystemSignoffs(string system) => ReadSignoffs("system = $key ORDER BY rowid", system);

    private List<SignoffRecord> ReadSignoffs(string where, string key)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = $"SELECT body, hash FROM signoffs WHERE {where}";
            cmd.Parameters.AddWithValue("$key", key);
            var list = new List<SignoffRecord>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                // A record that no longer parses is left out here; 'archgate runs --verify' names it.
                if (Parse(reader.GetString(0)) is { } record)
                {
                    list.Add(record with { Hash = reader.GetString(1) });
                }
            }

            return list;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ChainBreak> VerifySignoffs()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT run_id, seq, body, hash FROM signoffs ORDER BY run_id, seq";
            var breaks = new List<ChainBreak>();
            string? run = null;
            var expected = 0;
            var previous = GenesisHash;
            var broken = false;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var runId = reader.GetString(0);
                if (runId != run)
                {
                    (run, expected, previous, broken) = (runId, 0, GenesisHash, false);
                }

                expected++;
                if (broken)
                {
                    continue;
                }

                var seq = reader.GetInt32(1);
                var body = reader.GetString(2);
                var hash = reader.GetString(3);
                var record = Parse(body);
                var problem =
                    seq != expected ? $"position {seq} where {expected} was expected (a record is missing)"
                    : !string.Equals(HashOf(body), hash, StringComparison.Ordinal) ? "its content does not match its hash (the record was changed)"
                    : record is null ? "its content is not a sign-off record"
                    : record.PreviousHash != previous ? "it does not link to the previous record's hash (a record before it was changed or removed)"
                    : record.Seq != seq || record.RunId != runId ? "its content names another position or run"
                    : null;
                if (problem is not null)
                {
                    breaks.Add(new ChainBreak(runId, expected, problem));
                    broken = true;
                    continue;
                }

                previous = hash;
            }

            return breaks;
        }
    }

    /// <inheritdoc />
    public string? OutputDirectory(string runId)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT output_dir FROM runs WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", runId);
            return cmd.ExecuteScalar() as string;
        }
    }

    /// <inheritdoc />
    public void SaveOutputDirectory(string runId, string path)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "UPDATE runs SET output_dir = $dir WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", runId);
            cmd.Parameters.AddWithValue("$dir", path);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>SHA-256 of a record's stored text, lowercase hex.</summary>
    public static string HashOf(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static SignoffRecord? Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<SignoffRecord>(body, ArchgateJson.Compact);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
