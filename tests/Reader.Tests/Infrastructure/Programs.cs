using System.Diagnostics;

namespace Reader.Tests.Infrastructure;

/// <summary>Runs this repository's programs (wsi, the benchmark) as real processes.</summary>
internal static class Programs
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(string dll, params string[] args) => Run(dll, new Dictionary<string, string>(), args);

    /// <summary>Runs <paramref name="dll"/> with extra environment variables.</summary>
    public static Result Run(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string path = Path.Combine(AppContext.BaseDirectory, dll);
        Assert.True(File.Exists(path), $"{dll} is not next to the tests (it is a project reference)");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(path);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{dll} {string.Join(' ', args)} did not finish in 5 minutes");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
