using System.Collections.Concurrent;
using Reader.SlideWriter;

namespace Reader.Tests.Infrastructure;

/// <summary>Synthetic slides written once per test process into a temporary folder, removed at exit.</summary>
internal static class TestSlides
{
    private static readonly ConcurrentDictionary<SyntheticSlideSpec, Lazy<string>> Written = new();
    private static readonly string Folder = CreateFolder();

    public static string TempFolder => Folder;

    public static string Get(SyntheticSlideSpec spec)
    {
        return Written.GetOrAdd(spec, s => new Lazy<string>(() =>
        {
            string path = Path.Combine(Folder, $"slide-{Written.Count}-{Guid.NewGuid():N}.tif");
            SyntheticSlideWriter.Write(path, s);
            return path;
        })).Value;
    }

    /// <summary>A path for a test's own scratch file in the temporary folder.</summary>
    public static string NewPath(string name) => Path.Combine(Folder, $"{Guid.NewGuid():N}-{name}");

    private static string CreateFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"wsi-reader-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return folder;
    }
}
