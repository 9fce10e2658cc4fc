using Reader.Core;
using Reader.Core.Batch;
using Reader.Gpu;
using Reader.Native;
using Reader.Tests.Gpu;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>
/// Every mangled file that opens, through the GPU decoder on ILGPU's CPU accelerator (there is no GPU on CI):
/// the device batch API with the kernels must do exactly what the CPU batch API does (the same bytes, or a
/// failure of the same type); whole-tile device decodes of every level, by the kernels and by the same bodies
/// under Parallel.For, agree and end in success or a typed SlideException. No hang, no large allocation.
/// </summary>
[Collection(nameof(HostileFilesRunAlone))]
public class MangledFileGpuTests
{
    private const long AllocationBudget = 400L << 20;

    /// <summary>Tiles decoded per level: every tile of the small generated bases, a sample of larger levels.</summary>
    private const int TilesPerLevel = 48;

    private static readonly Dictionary<string, MangleCase> Cases = MangledCases.All().ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Mangled_file_on_the_GPU_decoder_matches_the_CPU_or_fails_typed(string name)
    {
        MangleCase c = Cases[name];
        string path = MangledCases.WriteMangled(c);
        _ = GpuTestSupport.Decoder;
        _ = GpuTestSupport.ParallelForDecoder; // kernels load outside the allocation measurement

        long before = GC.GetTotalAllocatedBytes(precise: true);
        Task run = Task.Run(() => Exercise(name, path), TestContext.Current.CancellationToken);
        Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
        Assert.True(finished == run, $"{name} (GPU, CPU accelerator): did not finish in 60 s (a hang)");
        await run;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < AllocationBudget, $"{name} (GPU, CPU accelerator): allocated {allocated >> 20} MiB");
    }

    private static void Exercise(string name, string path)
    {
        var options = new SlideOptions
        {
            Backend = NativeShim.IsAvailable ? DecoderBackend.Native : DecoderBackend.Managed,
            CacheCapacity = 0,
            Notice = _ => { },
        };
        Slide slide;
        try
        {
            slide = Slide.Open(path, options);
        }
        catch (SlideException)
        {
            return; // opening is the CPU's work, judged by MangledFileTests
        }

        using (slide)
        {
            var locations = Enumerable.Range(0, 8).Select(i => new PatchLocation(i * 37, i * 23)).ToList();
            var batchOptions = new BatchOptions { Workers = 2, BatchSize = 8 };
            (byte[]? cpu, Exception? cpuError) = Attempt(() => GpuTestSupport.CpuBatches(slide, locations, 64, 64, 0, batchOptions));
            (byte[]? gpu, Exception? gpuError) = Attempt(() => GpuTestSupport.DeviceBatches(GpuTestSupport.Decoder, slide, locations, 64, 64, 0, batchOptions));
            Typed(name, "device batch", gpuError);
            if (cpuError is null)
            {
                Assert.True(gpuError is null, $"{name}: the CPU batch API read the patches, the device batch API failed: {gpuError}");
                GpuTestSupport.Identical(cpu!, gpu!, 64, 3, $"{name}: device batch vs CPU batch");
            }
            else
            {
                Assert.True(gpuError is not null, $"{name}: the CPU batch API failed ({Describe(cpuError)}), the device batch API returned pixels");
                Assert.True(Cause(cpuError).GetType() == Cause(gpuError!).GetType(), $"{name}: CPU failed with {Describe(cpuError)}, GPU with {Describe(gpuError!)}");
            }

            foreach (SlideLevel level in slide.Levels)
            {
                long across = (level.Width + level.TileWidth - 1) / Math.Max(1, level.TileWidth);
                long down = (level.Height + level.TileHeight - 1) / Math.Max(1, level.TileHeight);
                var tiles = new List<TileIndex>();
                for (long row = 0; row < down && tiles.Count < TilesPerLevel; row++)
                {
                    for (long column = 0; column < across && tiles.Count < TilesPerLevel; column++)
                    {
                        tiles.Add(new TileIndex(column, row));
                    }
                }

                if (tiles.Count == 0 || (long)level.TileWidth * level.TileHeight > 1 << 20)
                {
                    continue; // nothing to decode, or tiles too large to be worth a device slot here (the CPU suite reads them)
                }

                (byte[]? kernels, Exception? kernelError) = Attempt(() => DecodeTiles(GpuTestSupport.Decoder, slide, level.Index, tiles));
                (byte[]? bodies, Exception? bodyError) = Attempt(() => DecodeTiles(GpuTestSupport.ParallelForDecoder, slide, level.Index, tiles));
                Typed(name, $"level {level.Index} tiles (kernels)", kernelError);
                Typed(name, $"level {level.Index} tiles (Parallel.For)", bodyError);
                Assert.True((kernelError is null) == (bodyError is null), $"{name}: level {level.Index} tiles: kernels {(kernelError is null ? "succeeded" : Describe(kernelError))}, Parallel.For {(bodyError is null ? "succeeded" : Describe(bodyError))}");
                if (kernels is not null && bodies is not null)
                {
                    GpuTestSupport.Identical(bodies, kernels, level.TileWidth, 3, $"{name}: level {level.Index} tiles, kernels vs Parallel.For");
                }
            }
        }
    }

    private static byte[] DecodeTiles(GpuDecoder decoder, Slide slide, int level, List<TileIndex> tiles)
    {
        using DeviceBatch batch = decoder.DecodeTiles(slide, level, tiles);
        return batch.ToArray();
    }

    private static (byte[]? Pixels, Exception? Error) Attempt(Func<byte[]> read)
    {
        try
        {
            return (read(), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    private static Exception Cause(Exception e) => e is PatchReadException { InnerException: { } inner } ? inner : e;

    private static string Describe(Exception e) => $"{Cause(e).GetType().Name}: {Cause(e).Message}";

    private static void Typed(string name, string where, Exception? error)
    {
        if (error is null)
        {
            return;
        }

        Exception cause = Cause(error);
        Assert.True(cause is SlideException, $"{name}: {where} threw {cause.GetType().Name} (only SlideExceptions are allowed): {error}");
        Assert.Contains(".tif", cause.Message, StringComparison.Ordinal); // names the file
    }
}
