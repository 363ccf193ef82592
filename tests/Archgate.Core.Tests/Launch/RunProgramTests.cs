using Archgate.Launch;

namespace Archgate.Core.Tests.Launch;

public sealed class RunProgramTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "archgate-run-program");

    private static string At(params string[] parts) => Path.GetFullPath(Path.Combine([Root, .. parts]));

    [Fact]
    public void A_plain_command_is_its_first_word_and_its_file_is_under_the_workdir()
    {
        var program = RunProgram.Read("dotnet bin/App/App.dll --urls http://127.0.0.1:1", Root)!;

        Assert.Equal("dotnet", program.Name);
        Assert.True(program.IsDotnet);
        Assert.Equal(At("bin", "App", "App.dll"), program.EntryFile);
        Assert.Equal(At(), program.WorkingDirectory);
    }

    [Theory]
    [InlineData("sh -c 'cd claims && exec dotnet bin/out/claims.dll'", "claims", "bin/out/claims.dll")]
    [InlineData("bash -lc \"cd claims; exec dotnet exec bin/out/claims.dll --urls http://127.0.0.1:1\"", "claims", "bin/out/claims.dll")]
    [InlineData("/bin/sh -e -c 'cd svc/api\nexport ASPNETCORE_ENVIRONMENT=Production\nexec env A=1 dotnet Api.dll'", "svc/api", "Api.dll")]
    [InlineData("env ASPNETCORE_URLS=http://127.0.0.1:1 DOTNET_gcServer=0 dotnet bin/Api.dll", ".", "bin/Api.dll")]
    [InlineData("ASPNETCORE_URLS=http://127.0.0.1:1 exec dotnet bin/Api.dll", ".", "bin/Api.dll")]
    [InlineData("sh -c 'cd $APP_DIR && exec dotnet Api.dll'", "apps/api", "Api.dll")]
    public void A_wrapped_dotnet_program_is_read_through_its_wrapper(string command, string directory, string entry)
    {
        var program = RunProgram.Read(command, Root, new Dictionary<string, string> { ["APP_DIR"] = "apps/api" })!;

        Assert.True(program.IsDotnet, command);
        Assert.Equal(At(directory.Split('/')), program.WorkingDirectory);
        Assert.Equal(Path.GetFullPath(Path.Combine(At(directory.Split('/')), entry)), program.EntryFile);
    }

    [Theory]
    [InlineData("bash -lc \"cd web; npm start\"", "npm", "web")]
    [InlineData("sh -c 'cd claims && exec dotnet run --no-build'", "dotnet", "claims")]
    [InlineData("dotnet run --project src/Api/Api.csproj --urls http://127.0.0.1:1", "dotnet", "src/Api")]
    [InlineData("dotnet run --project=src/Api", "dotnet", "src/Api")]
    [InlineData("python3 -m uvicorn app.main:app --port 1", "python3", ".")]
    public void A_program_run_from_its_sources_has_its_project_folder(string command, string name, string project)
    {
        var program = RunProgram.Read(command, Root)!;

        Assert.Equal(name, program.Name);
        Assert.Equal(At(project.Split('/')), program.ProjectFolder);
        Assert.Null(program.EntryFile);
    }

    [Theory]
    [InlineData("env A=1 node server.js", "node", "server.js")]
    [InlineData("node --require ./otel.js --enable-source-maps payouts/server.js", "node", "payouts/server.js")]
    [InlineData("python3 -u bank/server.py", "python3", "bank/server.py")]
    [InlineData("java -Xmx256m -jar build/app.jar", "java", "build/app.jar")]
    [InlineData("db/start-db.sh", "start-db.sh", "db/start-db.sh")]
    [InlineData("bash scripts/start.sh --fast", "bash", "scripts/start.sh")]
    [InlineData("nohup sh -c 'sleep 1; node dist/main.js' ", "node", "dist/main.js")]
    public void Other_runtimes_name_the_file_they_run(string command, string name, string entry)
    {
        var program = RunProgram.Read(command, Root)!;

        Assert.Equal(name, program.Name);
        Assert.False(program.IsDotnet);
        Assert.Equal(At(entry.Split('/')), program.EntryFile);
    }

    [Theory]
    [InlineData("java -cp payments/out PaymentsSvc", "payments/out")]
    [InlineData("java -Xmx64m -classpath out:lib/*:dist/app.jar com.acme.Main --port 1", "out|dist")]
    [InlineData("java --class-path=build/classes com.acme.Main", "build/classes")]
    [InlineData("sh -c 'cd payments && exec java -cp app.jar:lib/* Main'", ".")]
    [InlineData("CLASSPATH=payments/out:lib/* java PaymentsSvc", "payments/out")]
    [InlineData("env CLASSPATH=payments/out java -Xmx64m PaymentsSvc", "payments/out")]
    [InlineData("sh -c 'cd payments; export CLASSPATH=out:lib/app.jar; exec java com.acme.Main'", "out|lib")]
    [InlineData("sh -c 'CP=build/classes; java -cp $CP Main'", "build/classes")]
    [InlineData("java PaymentsSvc", ".")] // neither: the JVM's classpath is the working directory
    [InlineData("java -cp out Main", "out")] // -cp wins over the component's CLASSPATH (the run env below)
    public void A_java_program_started_from_its_classpath_has_its_classpath_folders(string command, string folders)
    {
        // ex13: java -cp payments/out PaymentsSvc was read as naming no program folder, so its config was not scanned.
        var program = RunProgram.Read(command, Root, new Dictionary<string, string> { ["CLASSPATH_OF_RUN"] = "unused" })!;
        var expected = folders.Split('|').Select(f => Path.GetFullPath(Path.Combine(program.WorkingDirectory, f))).ToList();

        Assert.Equal("java", program.Name);
        Assert.Equal(expected, program.ClassPath);
        Assert.Equal(expected[0], program.ProjectFolder);
        Assert.Null(program.EntryFile);
    }

    [Fact]
    public void A_java_program_takes_the_classpath_of_its_component_s_run_env_unless_it_names_one()
    {
        var env = new Dictionary<string, string> { ["CLASSPATH"] = "payments/out:payments/lib/*" };

        Assert.Equal([Path.GetFullPath(Path.Combine(Root, "payments", "out"))], RunProgram.Read("java PaymentsSvc", Root, env)!.ClassPath);
        Assert.Equal([Path.GetFullPath(Path.Combine(Root, "other"))], RunProgram.Read("java -cp other PaymentsSvc", Root, env)!.ClassPath);
        Assert.Empty(RunProgram.Read("java -version", Root)!.ClassPath);
    }

    [Fact]
    public void An_asgi_server_names_the_module_of_its_app()
    {
        var root = Directory.CreateTempSubdirectory("archgate-run-program-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "provider", "app"));
            File.WriteAllText(Path.Combine(root, "provider", "app", "main.py"), "app = None\n");

            var uvicorn = RunProgram.Read("uvicorn app.main:app --host 127.0.0.1 --port 1 --app-dir provider", root)!;
            var gunicorn = RunProgram.Read("gunicorn -b localhost:1 -w 2 --chdir provider app.main:app", root)!;

            Assert.Equal(Path.Combine(root, "provider", "app", "main.py"), uvicorn.EntryFile);
            Assert.Equal(Path.Combine(root, "provider"), uvicorn.ProjectFolder);
            Assert.Equal(uvicorn.EntryFile, gunicorn.EntryFile);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Gunicorn_naming_a_wsgi_module_alone_after_a_django_migrate_names_the_project()
    {
        // ex16: Django's usual start, read as naming no program file or folder, so its settings were never scanned.
        var root = Directory.CreateTempSubdirectory("archgate-run-program-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "kitchen", "pantry"));
            File.WriteAllText(Path.Combine(root, "kitchen", "pantry", "wsgi.py"), "application = None\n");

            var django = RunProgram.Read("sh -c \"/usr/bin/python3 manage.py migrate --noinput && exec gunicorn pantry.wsgi -b 127.0.0.1:1 --threads 8\"", Path.Combine(root, "kitchen"))!;

            Assert.Equal(Path.Combine(root, "kitchen", "pantry", "wsgi.py"), django.EntryFile);
            Assert.Equal(Path.Combine(root, "kitchen"), django.ProjectFolder);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("sh -c 'cd $UNSET_DIR && exec dotnet Api.dll'")]
    [InlineData("sh -c 'cd && exec dotnet Api.dll'")]
    [InlineData("sh")]
    public void A_command_whose_program_or_folder_cannot_be_told_is_null(string command)
    {
        Assert.Null(RunProgram.Read(command, Root));
    }

    [Fact]
    public void A_program_on_the_path_has_no_file()
    {
        var program = RunProgram.Read("postgres -D data -p 7960", Root)!;

        Assert.Equal("postgres", program.Name);
        Assert.Null(program.EntryFile);
        Assert.Null(program.ProjectFolder);
    }
}
