using System.Text;
using Reader.Core;
using Reader.Core.Loader;
using Reader.Loader;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Loader;

/// <summary>
/// The dataset over many slides: manifests, the bounded handle pool (a 10,000-slide manifest), epochs deterministic
/// across worker counts, rank shares disjoint and complete, balancing within tolerance, pixels equal to single-slide
/// reads, patch lists round-tripping through CSV and Parquet, and broken slides skipped or named.
/// </summary>
public sealed class DatasetTests
{
    private static readonly SyntheticSlideSpec Aperio = new() { Width = 6144, Height = 4096, Levels = 3, Seed = 21, Quality = 90, Vendor = SlideVendor.Aperio };
    private static readonly SyntheticSlideSpec Generic = new() { Width = 4096, Height = 4096, Levels = 3, Seed = 22, Quality = 90 };
    private static readonly SyntheticSlideSpec Small = new() { Width = 1024, Height = 768, Levels = 1, Seed = 23, Quality = 80 };

    [Fact]
    public void Csv_and_json_lines_manifests_keep_every_column()
    {
        string folder = Directory.CreateDirectory(TestSlides.NewPath("manifest")).FullName;
        File.WriteAllText(Path.Combine(folder, "m.csv"), "path,label,split,annotations,site\n\"a,b.svs\",tumour,train,a.geojson,\"Oslo \"\"north\"\"\"\n/abs/c.tif,,val,,Bergen\r\n\n");
        IReadOnlyList<SlideEntry> csv = SlideManifest.Load(Path.Combine(folder, "m.csv"));
        Assert.Equal(2, csv.Count);
        Assert.Equal(Path.Combine(folder, "a,b.svs"), csv[0].Path);
        Assert.Equal(("tumour", "train", Path.Combine(folder, "a.geojson")), (csv[0].Label, csv[0].Split, csv[0].Annotations));
        Assert.Equal("Oslo \"north\"", csv[0].Metadata!["site"]);
        Assert.Equal("/abs/c.tif", csv[1].Path);
        Assert.Null(csv[1].Label);
        File.WriteAllText(Path.Combine(folder, "m.jsonl"), "{\"path\":\"s3://bucket/x.svs\",\"label\":\"normal\",\"weight\":2.5}\n\n{\"path\":\"y.tif\"}\n");
        IReadOnlyList<SlideEntry> jsonl = SlideManifest.Load(Path.Combine(folder, "m.jsonl"));
        Assert.Equal("s3://bucket/x.svs", jsonl[0].Path);
        Assert.Equal("2.5", jsonl[0].Metadata!["weight"]);
        Assert.Equal(Path.Combine(folder, "y.tif"), jsonl[1].Path);

        foreach ((string text, string why) in new[] { ("label\nx\n", "no 'path' column"), ("path,label\na\n", "1 fields"), ("path\n\"a\n", "not closed"), ("", "empty") })
        {
            File.WriteAllText(Path.Combine(folder, "bad.csv"), text);
            var e = Assert.Throws<ManifestException>(() => SlideManifest.Load(Path.Combine(folder, "bad.csv")));
            Assert.Contains(why, e.Message, StringComparison.Ordinal);
            Assert.Contains("bad.csv", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Ten_thousand_slides_stay_within_the_handle_pool()
    {
        string path = TestSlides.Get(Small);
        var entries = Enumerable.Range(0, 10_000).Select(i => new SlideEntry(path, Label: (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        using var dataset = new SlideDataset(entries, new LoaderOptions
        {
            Patch = new PatchShape { Width = 32, Height = 32 },
            Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 1, Seed = 3 },
            OpenSlides = 16,
            Workers = 2,
            BatchSize = 256,
        });
        int patches = 0;
        foreach (LoaderBatch batch in dataset.Batches(0, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                patches += batch.Count;
            }
        }

        Assert.Equal(10_000, patches);
        Assert.True(dataset.Pool.PeakOpenCount <= 16 + 2, $"peak {dataset.Pool.PeakOpenCount} open slides");
        Assert.True(dataset.Pool.Opens >= 10_000); // every slide was opened, and closed again
        Assert.Equal(["0", "1", "2"], dataset.Classes);
    }

    [Fact]
    public void An_epoch_is_the_same_for_any_worker_count_and_differs_by_epoch_and_seed()
    {
        List<SlideEntry> slides = Mixed();
        IReadOnlyList<LoaderPatch> Plan(int workers, int epoch, int seed)
        {
            using var d = new SlideDataset(slides, RandomOptions(workers, seed));
            return d.Epoch(epoch);
        }

        IReadOnlyList<LoaderPatch> one = Plan(1, 0, 5);
        Assert.Equal(one, Plan(2, 0, 5));
        Assert.Equal(one, Plan(4, 0, 5));
        Assert.NotEqual(one, Plan(1, 1, 5));
        Assert.NotEqual(one, Plan(1, 0, 6));
        Assert.Equal(slides.Count * 40, one.Count);

        // And the pixels: batches read with 1 and 3 workers are byte-identical.
        using var a = new SlideDataset(slides, RandomOptions(1, 5) with { BatchSize = 16 });
        using var b = new SlideDataset(slides, RandomOptions(3, 5) with { BatchSize = 16 });
        using IEnumerator<LoaderBatch> ea = a.Batches(0, TestContext.Current.CancellationToken).GetEnumerator();
        using IEnumerator<LoaderBatch> eb = b.Batches(0, TestContext.Current.CancellationToken).GetEnumerator();
        int batches = 0;
        while (ea.MoveNext())
        {
            Assert.True(eb.MoveNext());
            using LoaderBatch x = ea.Current, y = eb.Current;
            Assert.True(x.Data.Span.SequenceEqual(y.Data.Span));
            Assert.Equal(x.Labels, y.Labels);
            batches++;
        }

        Assert.False(eb.MoveNext());
        Assert.Equal(((slides.Count * 40) + 15) / 16, batches);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(7, true)]
    public void Rank_shares_are_equal_disjoint_and_cover_the_epoch(int worldSize, bool dropUneven)
    {
        List<SlideEntry> slides = Mixed();
        var options = new LoaderOptions { Patch = new PatchShape { Width = 256, Height = 256, Level = 1 }, Sampling = new SamplingOptions { Seed = 9, DropUneven = dropUneven }, Workers = 2 };
        using var whole = new SlideDataset(slides, options);
        IReadOnlyList<LoaderPatch> all = whole.Epoch(2);
        var shares = new List<IReadOnlyList<LoaderPatch>>();
        for (int rank = 0; rank < worldSize; rank++)
        {
            using var d = new SlideDataset(slides, options with { Sampling = options.Sampling with { Rank = rank, WorldSize = worldSize } });
            shares.Add(d.Epoch(2));
        }

        Assert.All(shares, s => Assert.Equal(shares[0].Count, s.Count));
        int expected = dropUneven ? all.Count / worldSize : (all.Count + worldSize - 1) / worldSize;
        Assert.Equal(expected, shares[0].Count);
        var seen = shares.SelectMany(s => s).ToList();
        int padding = seen.Count - all.Count;
        if (dropUneven)
        {
            Assert.Equal(seen.Count, seen.Distinct().Count()); // disjoint
            Assert.Equal(all.Count - (all.Count % worldSize), seen.Count);
        }
        else
        {
            Assert.InRange(padding, 0, worldSize - 1);
            Assert.Equal(all.ToHashSet(), seen.ToHashSet()); // complete
            Assert.Equal(all.Count, seen.Distinct().Count()); // disjoint apart from the padding's repeats
        }
    }

    [Fact]
    public void Class_balancing_draws_classes_by_their_weights_within_tolerance()
    {
        // Annotations: a small "Tumor" square (few candidates) in a slide otherwise "background".
        string folder = Directory.CreateDirectory(TestSlides.NewPath("balance")).FullName;
        string geojson = Path.Combine(folder, "a.geojson");
        File.WriteAllText(geojson, """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1024,0],[1024,1024],[0,1024],[0,0]]]},"properties":{"classification":{"name":"Tumor"}}}]}""");
        var slides = new List<SlideEntry> { new(TestSlides.Get(Generic), Annotations: geojson), new(TestSlides.Get(Aperio), Annotations: geojson) };
        var sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 4000, Seed = 1, Balance = Balance.Slide | Balance.Class, ClassWeights = new Dictionary<string, double> { ["Tumor"] = 3 } };
        using var d = new SlideDataset(slides, new LoaderOptions { Patch = new PatchShape { Width = 128, Height = 128 }, Sampling = sampling, Workers = 2 });
        IReadOnlyList<LoaderPatch> epoch = d.Epoch(0);
        Assert.Equal(["Tumor", "background"], d.Classes);
        foreach (int slide in new[] { 0, 1 })
        {
            var mine = epoch.Where(p => p.Slide == slide).ToList();
            Assert.Equal(4000, mine.Count);
            double tumour = mine.Count(p => p.Label == 0) / (double)mine.Count;
            Assert.InRange(tumour, 0.75 - 0.03, 0.75 + 0.03); // weight 3 : 1, whatever the areas (tumour is a small corner)
        }

        // Without class balancing the tumour share is its area share (1024^2 of the slide, under 7%).
        using var plain = new SlideDataset(slides, new LoaderOptions { Patch = new PatchShape { Width = 128, Height = 128 }, Sampling = sampling with { Balance = Balance.Slide }, Workers = 2 });
        double share = plain.Epoch(0).Count(p => p.Label == 0) / 8000.0;
        Assert.InRange(share, 0.01, 0.1);

        // Slide weights: slide 1 gives twice as many.
        using var weighted = new SlideDataset(slides, new LoaderOptions { Patch = new PatchShape { Width = 128, Height = 128 }, Sampling = sampling with { SlideWeights = new Dictionary<int, double> { [1] = 2 } }, Workers = 2 });
        IReadOnlyList<LoaderPatch> w = weighted.Epoch(0);
        Assert.Equal((4000, 8000), (w.Count(p => p.Slide == 0), w.Count(p => p.Slide == 1)));
    }

    [Fact]
    public void Patches_at_an_mpp_equal_single_slide_reads_and_tissue_filters_apply()
    {
        string aperio = TestSlides.Get(Aperio);
        var options = new LoaderOptions
        {
            Patch = new PatchShape { Width = 100, Height = 100, Resolution = PatchResolution.AtMpp(1.2) },
            Tissue = new TissueOptions { MaskSize = 256 },
            MinTissue = 0.9,
            Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 24, Seed = 4 },
            BatchSize = 8,
            Workers = 2,
        };
        using var d = new SlideDataset([new SlideEntry(aperio, "a")], options);
        using Slide slide = Slide.Open(aperio);
        TissueMask mask = d.MaskOf(0)!;
        PatchGeometry g = options.Patch.Resolve(slide);
        Assert.Equal(1, g.Level); // 0.499 x 4 = 1.996 is coarser than 1.2; level 1 (0.998) is the closest finer
        foreach (LoaderBatch batch in d.Batches(0, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    LoaderPatch p = batch.Patches.Span[i];
                    Assert.True(mask.Fraction(p.X, p.Y, (long)g.ExtentX, (long)g.ExtentY) >= 0.9);
                    byte[] expected = ResolutionReads.Read(slide, p.X, p.Y, 100, 100, PatchResolution.AtMpp(1.2));
                    Assert.True(expected.AsSpan().SequenceEqual(batch.Patch(i)), $"patch {i} of batch {batch.Index}");
                    Assert.Equal(0, batch.Labels[i]);
                }
            }
        }
    }

    [Fact]
    public void A_slide_without_mpp_needs_a_fallback()
    {
        var shape = new PatchShape { Width = 64, Height = 64, Resolution = PatchResolution.AtMpp(1.0) };
        using var d = new SlideDataset([new SlideEntry(TestSlides.Get(Generic))], new LoaderOptions { Patch = shape, Workers = 1 });
        var e = Assert.ThrowsAny<SlideException>(() => d.Epoch(0));
        Assert.Contains("microns per pixel", e.Message, StringComparison.Ordinal);
        using var ok = new SlideDataset([new SlideEntry(TestSlides.Get(Generic))], new LoaderOptions { Patch = shape with { Resolution = new PatchResolution { Mpp = 1.0, FallbackMpp = 0.25 } }, Workers = 1 });
        Assert.NotEmpty(ok.Epoch(0));
    }

    [Fact]
    public async Task Patch_lists_round_trip_through_csv_and_parquet_and_refuse_another_dataset()
    {
        List<SlideEntry> slides = Mixed();
        using var d = new SlideDataset(slides, RandomOptions(2, 8));
        IReadOnlyList<LoaderPatch> epoch = d.Epoch(0);
        foreach (string ext in new[] { "csv", "parquet" })
        {
            string file = TestSlides.NewPath($"patches.{ext}");
            await PatchList.SaveAsync(file, d, epoch, TestContext.Current.CancellationToken);
            IReadOnlyList<LoaderPatch> back = await PatchList.LoadAsync(file, d, TestContext.Current.CancellationToken);
            Assert.Equal(epoch, back);
            using var other = new SlideDataset([.. slides.AsEnumerable().Reverse()], RandomOptions(2, 8));
            await Assert.ThrowsAsync<ManifestException>(() => PatchList.LoadAsync(file, other, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public void Broken_slides_are_named_or_skipped_with_SkipUnreadable()
    {
        string broken = TestSlides.NewPath("broken.tif");
        File.WriteAllBytes(broken, Encoding.ASCII.GetBytes("II*\0garbage that is not a TIFF directory"));
        var slides = new List<SlideEntry> { new(TestSlides.Get(Generic), "g"), new(broken, "b") };
        var options = new LoaderOptions { Patch = new PatchShape { Width = 64, Height = 64, Level = 2 }, Workers = 2, BatchSize = 8 };
        using (var strict = new SlideDataset(slides, options))
        {
            var e = Assert.ThrowsAny<SlideException>(() => strict.Epoch(0));
            Assert.Contains("broken.tif", e.Message, StringComparison.Ordinal);
        }

        var log = new List<string>();
        using var lenient = new SlideDataset(slides, options with { SkipUnreadable = true, Log = m => { lock (log) { log.Add(m); } } });
        IReadOnlyList<LoaderPatch> epoch = lenient.Epoch(0);
        Assert.All(epoch, p => Assert.Equal(0, p.Slide));
        Assert.Single(log);
        Assert.Contains("broken.tif", log[0], StringComparison.Ordinal);
        Assert.True(lenient.SkippedSlides.ContainsKey(1));

        // A patch list naming the broken slide: its patches come back skipped (label -1, zero pixels), the rest read.
        var patches = new List<LoaderPatch> { new(0, 0, 0, 0), new(1, 0, 0, 1), new(0, 256, 256, 0) };
        using var reading = new SlideDataset(slides, options with { SkipUnreadable = true, Log = _ => { }, Classes = ["g", "b"] });
        using LoaderBatch batch = reading.Batches(patches, TestContext.Current.CancellationToken).Single();
        Assert.Equal([false, true, false], batch.Skipped);
        Assert.Equal([0, -1, 0], batch.Labels);
        Assert.True(batch.Patch(1).IndexOfAnyExcept((byte)0) < 0);

        using var failing = new SlideDataset(slides, options with { Classes = ["g", "b"] });
        var error = Assert.Throws<LoaderPatchException>(() => failing.Batches(patches, TestContext.Current.CancellationToken).ToList());
        Assert.Contains("broken.tif", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Index);
    }

    [Fact]
    public async Task Cancelling_stops_an_epoch_and_returns_its_buffers()
    {
        using var d = new SlideDataset(Mixed(), RandomOptions(2, 1) with { BatchSize = 4, Prefetch = 2 });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (LoaderBatch batch in d.Batches(0, cancel.Token))
            {
                batch.Dispose();
                if (++seen == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task Remote_slides_give_the_same_batches_as_local_ones()
    {
        string local = TestSlides.Get(Aperio);
        await using Reader.Bench.Remote.RangeServer server = await Reader.Bench.Remote.RangeServer.StartAsync(Path.GetDirectoryName(local)!);
        var options = RandomOptions(2, 3) with { BatchSize = 20 };
        using var near = new SlideDataset([new SlideEntry(local, "x")], options);
        using var far = new SlideDataset([new SlideEntry(server.AddressOf(Path.GetFileName(local)).ToString(), "x")], options);
        IReadOnlyList<LoaderPatch> epoch = near.Epoch(0);
        Assert.Equal(epoch, far.Epoch(0));
        using IEnumerator<LoaderBatch> a = near.Batches(epoch, TestContext.Current.CancellationToken).GetEnumerator();
        using IEnumerator<LoaderBatch> b = far.Batches(epoch, TestContext.Current.CancellationToken).GetEnumerator();
        while (a.MoveNext())
        {
            Assert.True(b.MoveNext());
            using LoaderBatch x = a.Current, y = b.Current;
            Assert.True(x.Data.Span.SequenceEqual(y.Data.Span));
        }

        Assert.False(b.MoveNext());
        Assert.True(server.Requests > 0); // the remote dataset did read over HTTP
    }

    private static List<SlideEntry> Mixed() =>
    [
        new(TestSlides.Get(Aperio), "x"),
        new(TestSlides.Get(Generic), "y"),
        new(TestSlides.Get(Generic with { Compression = SlideCompression.Deflate, Seed = 24 }), "x"),
    ];

    private static LoaderOptions RandomOptions(int workers, int seed) => new()
    {
        Patch = new PatchShape { Width = 64, Height = 64, Level = 1 },
        Sampling = new SamplingOptions { Mode = SamplingMode.Random, PatchesPerSlide = 40, Seed = seed },
        Workers = workers,
    };
}
