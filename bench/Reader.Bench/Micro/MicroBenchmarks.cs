namespace Reader.Bench.Micro;

/// <summary>Entry point of the BenchmarkDotNet micro-benchmarks.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
        return 0;
    }
}
