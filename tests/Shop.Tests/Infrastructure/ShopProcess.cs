using System.Collections.Concurrent;
using System.Diagnostics;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// One real shop process (<c>dotnet samples/shop/bin/X/X.dll --urls http://127.0.0.1:PORT</c>), started
/// and awaited until <c>/health/live</c> answers; disposing kills its whole process tree.
/// </summary>
public sealed class ShopProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ShopProcess(string project, Process process, Uri url)
    {
        Project = project;
        _process = process;
        Url = url;
    }

    public string Project { get; }

    public Uri Url { get; }

    /// <summary>The last lines the process wrote (for failure messages).</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<ShopProcess> StartAsync(string project, IReadOnlyDictionary<string, string?> env, int? port = null)
    {
        var dll = ShopPaths.Dll(project);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing: build the shop first (dotnet build samples/shop/Shop.slnx).", dll);
        }

        var url = new Uri($"http://127.0.0.1:{port ?? FreePort.Next()}");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = ShopPaths.ShopRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(url.ToString().TrimEnd('/'));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var shop = new ShopProcess(project, process, url);
        process.OutputDataReceived += (_, e) => shop.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => shop.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await shop.WaitLiveAsync(TimeSpan.FromSeconds(120));
        }
        catch
        {
            await shop.DisposeAsync();
            throw;
        }

        return shop;
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 300 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitLiveAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Project} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("/health/live");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Project} was not live within {timeout.TotalSeconds} s:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
