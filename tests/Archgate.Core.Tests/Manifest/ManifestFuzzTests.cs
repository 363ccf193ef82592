using System.Text;
using Archgate.Manifest;
using Archgate.Planning;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

/// <summary>
/// Mutations of the sample manifests, generated here from a fixed seed (so a failure replays): every one
/// loads (and, when valid, plans) without an exception, which the CLI would turn into exit 3, and with
/// bounded memory; each error has a position.
/// </summary>
public sealed class ManifestFuzzTests
{
    private const int Seed = 20261203;
    private const int MutationsPerSample = 200;

    /// <summary>Far above what a manifest needs, far below what the unbounded loader took (gigabytes).</summary>
    private const long MaxAllocatedBytes = 300L * 1024 * 1024;

    private static readonly string Samples = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples");

    private static readonly string[] Fragments =
    [
        "[", "]", "{", "}", ",", ":", ": ", "- ", "\n", "\n  ", "\t", "\"", "'", "#", "|", ">", "&a ", "*a", "*b", "!!python/object ", "!x ",
        "---\n", "...\n", "%YAML 1.1\n", "? ", "\\e[2J", "\\0", "\\x07", "${X}", "${UNSET}", "$${", "99999999999999h", "1e400", "-1",
        "2147483648", "0.0000001ms", "\u001b", "\u0000", "\u2028", "\uFEFF", "http://user:pw@127.0.0.1/", "/dev/zero", "a\\0b",
    ];

    public static TheoryData<string> SampleNames() => new("minimal", "shop");

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Mutated_samples_never_crash_the_loader(string sample)
    {
        var path = Path.GetFullPath(Path.Combine(Samples, sample, "archgate.yaml"));
        var original = File.ReadAllText(path);
        var random = new Random(Seed + sample.Length);
        var failures = new List<string>();
        var errors = 0;
        for (var i = 0; i < MutationsPerSample; i++)
        {
            var text = Mutate(original, random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var result = ManifestLoader.Parse(text, "archgate.yaml", path, "sha", n => n == "X" ? "x" : null);
                if (result.Succeeded)
                {
                    _ = PlanWriter.ToMarkdown(Planner.Plan(result.Model!));
                }
                else
                {
                    errors++;
                    Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
                }
            }
#pragma warning disable CA1031 // any exception is the finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add($"mutation {i}: {ex.GetType().Name}: {ex.Message}\n--- manifest ---\n{Shorten(text)}");
                continue;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > MaxAllocatedBytes)
            {
                failures.Add($"mutation {i}: allocated {allocated / (1024 * 1024)} MB\n--- manifest ---\n{Shorten(text)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(3)));
        // The mutations reach the loader's error paths, not only its happy path.
        Assert.True(errors > MutationsPerSample / 2, $"only {errors} of {MutationsPerSample} mutations were errors");
    }

    private static string Mutate(string text, Random random)
    {
        var result = new StringBuilder(text);
        var rounds = 1 + random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            var at = random.Next(result.Length + 1);
            switch (random.Next(9))
            {
                case 0:
                    if (result.Length > 0)
                    {
                        result.Remove(Math.Min(at, result.Length - 1), Math.Min(1 + random.Next(20), result.Length - Math.Min(at, result.Length - 1)));
                    }

                    break;
                case 1:
                case 2:
                    result.Insert(at, Fragments[random.Next(Fragments.Length)]);
                    break;
                case 3:
                    result.Insert(at, new string('[', 1 + random.Next(200_000)));
                    break;
                case 4:
                    result.Insert(at, new string('x', random.Next(20) == 0 ? 10_000_000 : 100_000));
                    break;
                case 5:
                    result.Insert(at, "&a [" + string.Join(",", Enumerable.Repeat("*a", 20)) + "]");
                    break;
                case 6:
                    result.Length = at;
                    break;
                case 7:
                    var lines = result.ToString().Split('\n');
                    var line = lines[random.Next(lines.Length)];
                    result.Insert(at, line + "\n");
                    break;
                default:
                    // An alias bomb: nine levels of ten aliases, each of the level before.
                    var bomb = new StringBuilder("\nx-bomb:\n  l0: &l0 [1,1,1,1,1,1,1,1,1,1]\n");
                    for (var level = 1; level < 9; level++)
                    {
                        bomb.Append(FormattableString.Invariant($"  l{level}: &l{level} [")).Append(string.Join(",", Enumerable.Repeat($"*l{level - 1}", 10))).Append("]\n");
                    }

                    result.Insert(at, bomb.ToString());
                    break;
            }
        }

        return result.ToString();
    }

    private static string Shorten(string text) => text.Length <= 4000 ? text : text[..2000] + $"\n... ({text.Length} characters) ...\n" + text[^2000..];
}
