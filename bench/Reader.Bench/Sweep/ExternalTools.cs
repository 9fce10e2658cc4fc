namespace Reader.Bench.Sweep;

/// <summary>Programs the benches (and tests) run beside ours: found on PATH, or null.</summary>
internal static class ExternalTools
{
    public static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Where(d => d.Length > 0).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
