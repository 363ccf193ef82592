namespace Shop.Tests.Infrastructure;

/// <summary>Where the shop sample and its built processes are.</summary>
public static class ShopPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string ShopRoot => Path.Combine(RepoRoot, "samples", "shop");

    public static string Contract => Path.Combine(ShopRoot, "contracts", "shop-api.yaml");

    /// <summary>The dll of a shop process, e.g. <c>Shop.Api</c>.</summary>
    public static string Dll(string project) => Path.Combine(ShopRoot, "bin", project, project + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archgate.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Archgate.slnx not found above " + AppContext.BaseDirectory);
    }
}
