using System.Globalization;
using System.Runtime.InteropServices;
using Archgate.Checks.Faults;

// A passthrough fault proxy on 127.0.0.1:PORT in front of TARGET, until SIGTERM or Ctrl+C (for bench/proxy/run.sh).
//   dotnet Archgate.Bench.Proxy.dll http://127.0.0.1:5299 5298 [http|tcp]
if (args.Length < 2 || !Uri.TryCreate(args[0], UriKind.Absolute, out var target) || !int.TryParse(args[1], CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: Archgate.Bench.Proxy TARGET-URL PORT [http|tcp]");
    return 2;
}

var mode = args.Length > 2 && args[2] == "tcp" ? ProxyMode.Tcp : ProxyMode.Http;
var stop = new TaskCompletionSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
await using (var proxy = FaultProxy.Start("bench", target.Host, target.Port, mode, port: port))
{
    Console.WriteLine($"proxy ({mode}) on {proxy.Address} -> {target}");
    await stop.Task;
    Console.WriteLine($"{proxy.Counters.ConnectionCount} connections, {proxy.Counters.RequestCount} requests");
}

return 0;
