using Archgate.Cli;

return await ArchgateApp.RunAsync(args);
