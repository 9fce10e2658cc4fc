using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Reader.Gpu.Kernels;

namespace Reader.Gpu.Host;

/// <summary>
/// Enqueues the parallel Huffman stage of one batch (call inside the device gate): zero the coefficients (a
/// memset, not per-block loops), synchronise the subsequences' entry states in rounds until none changes (each
/// round reads back one counter; skipped when every segment is one subsequence, as with restart intervals),
/// place the outputs with a prefix sum of block counts, decode and write, then turn DC differences into
/// predictions with a prefix sum reset per segment and component. Returns the rounds run.
/// </summary>
internal static class HuffmanStage
{
    public static int Run(Accelerator accelerator, DeviceWorkspace ws, TileBatchPlanner plan, HuffmanBuffers buffers, KernelSet? kernels, int maxRounds, List<KernelShape> shapes)
    {
        HuffmanBuffers b = buffers;
        AcceleratorStream stream = ws.Stream;
        int subs = plan.Subsequences;
        int bits = plan.SubsequenceBits;
        int blocks = plan.Blocks;
        int group = kernels?.HuffmanGroup ?? 0;
        b.Coefficients.MemSetToZero(stream);
        b.DcPlace.MemSetToZero(stream);
        b.Status.MemSetToZero(stream);
        b.LastChanged.MemSetToZero(stream);
        b.Counters.MemSetToZero(stream);

        int rounds = 0;
        int unsettled = int.MaxValue;
        if (plan.NeedsSync)
        {
            bool settled = false;
            while (!settled && rounds < maxRounds)
            {
                rounds++;
                var shape = new HuffmanShape(subs, bits, rounds, int.MaxValue);
                b.Counters.SubView(0, 1).MemSetToZero(stream);
                b.NextEntries.MemSetToZero(stream); // priority 0: every entry gets a write this round
                if (kernels is null)
                {
                    ParallelForRunner.HuffmanSync(b, shape);
                }
                else
                {
                    kernels.Sync(stream, KernelSet.Config(subs, group), b, shape);
                }

                b.Counters.SubView(0, 1).CopyToCPUUnsafeAsync(stream, ref ws.HostCounters.First, 1);
                stream.Synchronize();
                settled = rounds >= 2 && ws.HostCounters.Span[0] == 0; // round 1 decodes from guesses: only a later round can confirm them
                b = b with { Entries = b.NextEntries, NextEntries = b.Entries }; // this round's exits are the next round's entries
            }

            unsettled = settled ? int.MaxValue : rounds; // tiles whose entries changed in the last round allowed fall back
            shapes.Add(new KernelShape("huffman-sync", rounds, subs, group, 0));
            Scan(accelerator, ws, kernels, b.Blocks, b.BlockScan, inclusive: false);
            shapes.Add(new KernelShape("scan-blocks", 1, subs, 0, 0));
        }

        var write = new HuffmanShape(subs, bits, rounds, unsettled);
        if (kernels is null)
        {
            ParallelForRunner.HuffmanWrite(b, write);
        }
        else
        {
            kernels.Write(stream, KernelSet.Config(subs, group), b, write);
        }

        shapes.Add(new KernelShape("huffman-write", 1, subs, group, 0));
        Scan(accelerator, ws, kernels, b.Dc, b.DcScan, inclusive: true);
        shapes.Add(new KernelShape("scan-dc", 1, blocks, 0, 0));
        if (kernels is null)
        {
            ParallelForRunner.DcFix(blocks, b);
        }
        else
        {
            kernels.DcFix(stream, KernelSet.Config(blocks, kernels.BlockGroup), b.DcScan, b.DcPlace, b.Coefficients, blocks);
        }

        shapes.Add(new KernelShape("dc-fix", 1, blocks, kernels?.BlockGroup ?? 0, 0));
        return rounds;
    }

    /// <summary>A prefix sum: ILGPU.Algorithms' on the accelerator, a loop on the host for Parallel.For.</summary>
    private static void Scan(Accelerator accelerator, DeviceWorkspace ws, KernelSet? kernels, ArrayView<int> input, ArrayView<int> output, bool inclusive)
    {
        if (input.Length == 0)
        {
            return;
        }

        if (kernels is null)
        {
            int sum = 0;
            for (int i = 0; i < input.Length; i++)
            {
                int v = input[i];
                output[i] = unchecked(inclusive ? sum + v : sum);
                sum = unchecked(sum + v);
            }

            return;
        }

        ArrayView<int> temp = ws.ScanTemp.View(accelerator, accelerator.ComputeScanTempStorageSize<int>(input.Length));
        (inclusive ? kernels.InclusiveScan : kernels.ExclusiveScan)(ws.Stream, input, output, temp);
    }
}
