namespace Reader.Tests.Infrastructure;

/// <summary>Locates the real sample files: $WSI_FIXTURES, else ../shared/fixtures beside the repository.</summary>
internal static class FixtureFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string? Directory { get; } = Locate();

    public static string MissingReason =>
        "fixtures not found: set WSI_FIXTURES or place them in ../shared/fixtures next to the repository (CI has them)";

    /// <summary>The path of a file under fixtures/real, skipping the test loudly when absent.</summary>
    public static string Real(string name)
    {
        Assert.SkipWhen(Directory is null, MissingReason);
        string path = Path.Combine(Directory!, "real", name);
        Assert.SkipUnless(File.Exists(path), $"fixture {name} is missing from {Directory}");
        return path;
    }

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("WSI_FIXTURES");
        if (!string.IsNullOrEmpty(env) && System.IO.Directory.Exists(env))
        {
            return env;
        }

        string candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "fixtures"));
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Reader.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? System.IO.Directory.GetCurrentDirectory();
    }
}
