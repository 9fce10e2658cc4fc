using System.Diagnostics;

namespace Reader.Tests.Infrastructure;

/// <summary>
/// Runs commands in the OpenSlide 4.0.1 root (../shared/tools/openslide4.sh exec), one at a time: the script
/// bind-mounts /tmp and the working folders for each command and unmounts them after, so two commands at once
/// would pull the mounts from under each other. A process-wide lock and a lock file serialize them.
/// </summary>
internal static class OpenSlide4Root
{
    public const string Tool = "/work/shared/tools/openslide4.sh";
    public const string Ready = "/var/tmp/openslide4-root/.ready";

    private static readonly Lock Gate = new();

    public static bool IsPresent => File.Exists(Ready) && File.Exists(Tool);

    /// <summary>Runs <c>openslide4.sh exec ARGS</c> and returns its exit code and output.</summary>
    public static (int Code, string Output, string Error) Exec(params string[] args)
    {
        lock (Gate)
        {
            using FileStream held = AcquireFileLock();
            var start = new ProcessStartInfo(Tool) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = FixtureFiles.RepositoryRoot };
            start.ArgumentList.Add("exec");
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            using Process p = Process.Start(start)!;
            Task<string> error = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output, error.Result);
        }
    }

    /// <summary>An exclusive lock file, so test processes running side by side also take turns.</summary>
    private static FileStream AcquireFileLock()
    {
        string path = Path.Combine(Path.GetTempPath(), "wsi-openslide4-root.lock");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (watch.Elapsed < TimeSpan.FromMinutes(5))
            {
                Thread.Sleep(50);
            }
        }
    }
}
