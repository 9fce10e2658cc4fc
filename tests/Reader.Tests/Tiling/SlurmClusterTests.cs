using System.Diagnostics;
using Reader.Native;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Tiling;

/// <summary>
/// wsi tile under a real one-node Slurm (deploy/slurm/cluster-test.sh, also ./build.sh cluster-test): two 4-task arrays
/// through the shipped sbatch script, one task cancelled mid-run with scancel and resubmitted, the outputs equal to one
/// process byte for byte. Skips, saying why, where Slurm cannot be installed or started (no root, no packages).
/// </summary>
public sealed class SlurmClusterTests
{
    [Fact]
    public async Task A_slurm_array_with_a_cancelled_and_resubmitted_task_equals_one_process()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG output needs the native shim: " + NativeShim.UnavailableReason);
        Assert.SkipUnless(OperatingSystem.IsLinux(), "NEEDS Linux: Slurm");
        string script = Path.Combine(FixtureFiles.RepositoryRoot, "deploy", "slurm", "cluster-test.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.Environment["WSI_DLL"] = Path.Combine(AppContext.BaseDirectory, "wsi.dll");
        info.Environment["WSI_BENCH_DLL"] = Path.Combine(AppContext.BaseDirectory, "Reader.Bench.dll");
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(6));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("cluster-test.sh did not finish in 6 minutes");
        }

        string log = await error + await output;
        string last = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("== cluster-test:", StringComparison.Ordinal)) ?? log;
        Assert.SkipWhen(process.ExitCode == 2, "NEEDS a startable Slurm (slurm-wlm, munge, root): " + last);
        Assert.True(process.ExitCode == 0, $"cluster-test.sh exited {process.ExitCode}:\n{log}");
        Assert.Contains("passed in", last, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage(last);
    }
}
