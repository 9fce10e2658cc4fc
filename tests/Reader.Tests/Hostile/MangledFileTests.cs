using Reader.Core;
using Reader.Core.Batch;
using Reader.Native;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>Runs alone, so its allocation measurements see only its own work.</summary>
[CollectionDefinition(nameof(HostileFilesRunAlone), DisableParallelization = true)]
public sealed class HostileFilesRunAlone;

/// <summary>
/// Every mangled file through open, properties, associated images, ReadRegion on every level and the
/// batch API, with both decoder backends: the expected outcome, only typed SlideExceptions, no hang,
/// and no large allocation (decompression bombs included).
/// </summary>
[Collection(nameof(HostileFilesRunAlone))]
public class MangledFileTests
{
    /// <summary>
    /// Far below what a bomb or a lying size would cost (gigabytes), above what the largest tile the
    /// default limits allow costs over this test's few reads (a 4096 x 4096 tile is 64 MiB as RGBA).
    /// </summary>
    private const long AllocationBudget = 400L << 20;
    private static readonly Dictionary<string, MangleCase> Cases = MangledCases.All().ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void The_catalogue_covers_at_least_150_cases()
    {
        Assert.True(Cases.Count >= 150, $"only {Cases.Count} cases");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Mangled_file_has_its_expected_outcome(string name)
    {
        MangleCase c = Cases[name];
        string path = MangledCases.WriteMangled(c);
        string original = TestSlides.NewPath("original.tif");
        File.WriteAllBytes(original, MangledCases.BaseBytes(c.Base));

        foreach (DecoderBackend backend in NativeShim.IsAvailable ? new[] { DecoderBackend.Native, DecoderBackend.Managed } : [DecoderBackend.Managed])
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            Task<Outcome> run = Task.Run(() => Exercise(path, original, backend, c.Expect), TestContext.Current.CancellationToken);
            Task finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken));
            Assert.True(finished == run, $"{name} ({backend}): did not finish in 60 s (a hang)");
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < AllocationBudget, $"{name} ({backend}): allocated {allocated >> 20} MiB");
            Outcome outcome = await run;
            Judge(name, backend, c.Expect, outcome);
        }
    }

    internal sealed record Outcome(Exception? OpenError, List<(string Where, Exception Error)> ReadErrors, Action? Check);

    /// <summary>Opens <paramref name="path"/> and reads everything a user can (shared with the DICOM catalogue).</summary>
    internal static Outcome Exercise(string path, string originalPath, DecoderBackend backend, Expectation expect)
    {
        var options = new SlideOptions { Backend = backend, Notice = _ => { } };
        Slide slide;
        try
        {
            slide = Slide.Open(path, options);
        }
        catch (Exception e)
        {
            return new Outcome(e, [], null);
        }

        var errors = new List<(string, Exception)>();
        using (slide)
        {
            Try(errors, "properties", () => _ = slide.Properties.Count);
            foreach (string name in slide.AssociatedImageNames)
            {
                Try(errors, "associated " + name, () => slide.ReadAssociatedImage(name));
            }

            foreach (SlideLevel level in slide.Levels)
            {
                long x = (long)(level.Width * level.Downsample / 2), y = (long)(level.Height * level.Downsample / 2);
                if (level.Width * level.Height <= 1 << 20)
                {
                    Try(errors, $"level {level.Index} whole", () => slide.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32));
                }

                Try(errors, $"level {level.Index} corner", () => slide.ReadRegion(0, 0, level.Index, 200, 150, PixelFormat.Rgb24));
                Try(errors, $"level {level.Index} middle", () => slide.ReadRegion(x + 1, y + 1, level.Index, 130, 90, PixelFormat.Rgb24));
            }

            var locations = Enumerable.Range(0, 8).Select(i => new PatchLocation(i * 37, i * 23)).ToList();
            Try(errors, "batch", () =>
            {
                foreach (PatchBatch batch in slide.ReadRegions(locations, 64, 64, 0, new BatchOptions { Workers = 2, BatchSize = 3 }))
                {
                    batch.Dispose();
                }
            });

            Action? check = null;
            if (expect.Check is not null && errors.Count == 0)
            {
                // Run the check now, while the slide is open; Judge calls it.
                var original = Slide.Open(originalPath, options);
                Exception? failure = null;
                try
                {
                    expect.Check(slide, original);
                }
                catch (Exception e)
                {
                    failure = e;
                }
                finally
                {
                    original.Dispose();
                }

                check = () =>
                {
                    if (failure is not null)
                    {
                        throw failure;
                    }
                };
            }

            return new Outcome(null, errors, check);
        }
    }

    private static void Try(List<(string, Exception)> errors, string where, Action read)
    {
        try
        {
            read();
        }
        catch (PatchReadException e)
        {
            errors.Add((where, e.InnerException ?? e));
        }
        catch (Exception e)
        {
            errors.Add((where, e));
        }
    }

    /// <summary>Checks an outcome against the expectation; every error must name the file (<paramref name="fileMarker"/>).</summary>
    internal static void Judge(string name, DecoderBackend backend, Expectation expect, Outcome outcome, string fileMarker = ".tif")
    {
        string context = $"{name} ({backend})";
        var all = new List<(string Where, Exception Error)>(outcome.ReadErrors);
        if (outcome.OpenError is not null)
        {
            all.Add(("open", outcome.OpenError));
        }

        foreach ((string where, Exception e) in all)
        {
            Assert.True(e is SlideException, $"{context}: {where} threw {e.GetType().Name} (only SlideExceptions are allowed): {e}");
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{context}: {where}: empty message");
            Assert.Contains(fileMarker, e.Message, StringComparison.Ordinal); // names the file
        }

        switch (expect.Stage)
        {
            case Stage.Open:
                Assert.True(outcome.OpenError is not null, $"{context}: opened, but {expect.Exception!.Name} was expected at open");
                Matches(context, "open", outcome.OpenError!, expect);
                break;
            case Stage.Read:
                Assert.True(outcome.OpenError is null, $"{context}: open failed: {outcome.OpenError?.Message}");
                Assert.True(outcome.ReadErrors.Count > 0, $"{context}: every read succeeded, but {expect.Exception!.Name} was expected");
                Assert.True(outcome.ReadErrors.Any(r => Fits(r.Error, expect)), $"{context}: no read failed with {expect.Exception!.Name} '{expect.Fragment}'; got: {string.Join(" | ", outcome.ReadErrors.Select(r => $"{r.Where}: {r.Error.GetType().Name}: {r.Error.Message}"))}");
                break;
            case Stage.Fails:
                Assert.True(all.Count > 0, $"{context}: nothing failed, but a typed failure was expected");
                break;
            case Stage.Clean:
                Assert.True(all.Count == 0, $"{context}: expected no error, got: {string.Join(" | ", all.Select(r => $"{r.Where}: {r.Error.Message}"))}");
                outcome.Check?.Invoke();
                break;
        }
    }

    private static void Matches(string context, string where, Exception e, Expectation expect)
    {
        Assert.True(Fits(e, expect), $"{context}: {where} threw {e.GetType().Name} '{e.Message}', expected {expect.Exception!.Name} containing '{expect.Fragment}'");
    }

    private static bool Fits(Exception e, Expectation expect) =>
        expect.Exception!.IsInstanceOfType(e) && (expect.Fragment is null || e.Message.Contains(expect.Fragment, StringComparison.Ordinal));
}
