using System.Formats.Tar;
using System.Text.Json;
using Reader.Core;
using Reader.Core.Loader;
using Reader.Loader;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.SlideWriter;
using Reader.Tiling;

namespace Reader.Tests.Tiling;

/// <summary>
/// wsi tile's engine in-process: the WebDataset shards hold the reader's patches (bytes against libjpeg-turbo encoding
/// the reader's own region), reruns and any sharding (--shard, JOB_COMPLETION_INDEX) give the same bytes, changed
/// inputs and options are redone, broken slides are skipped and reported.
/// </summary>
public sealed class TileRunTests
{
    private static readonly TileOptions Small = new() { Size = 256, PatchesPerShard = 5, Quality = 85, Threads = 2 };

    [Fact]
    public void A_shard_holds_each_patch_then_its_sidecar_in_grid_order_with_fixed_headers_and_an_index()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(1);
        string output = TilingFixture.NewFolder("out");
        TileSummary summary = TileRun.Run(inputs, output, Small, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(summary.Failures);

        // 700 x 520 at level 0 with 256-pixel patches: 2 x 2 whole patches; 5 per shard -> one tar.
        string folder = Path.Combine(output, "case-00");
        Assert.Equal(["case-00-000000.parquet", "case-00-000000.tar", "done.json"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        using Slide slide = Slide.Open(inputs[0].FullPath);
        var members = new List<(string Name, byte[] Data, long Offset)>();
        using (FileStream tarFile = File.OpenRead(Path.Combine(folder, "case-00-000000.tar")))
        using (var reader = new TarReader(tarFile))
        {
            long offset = 0;
            while (reader.GetNextEntry() is { } entry)
            {
                Assert.Equal(TarEntryFormat.Ustar, entry.Format);
                Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), entry.ModificationTime);
                Assert.Equal(0, entry.Uid);
                Assert.Equal(0, entry.Gid);
                using var data = new MemoryStream();
                entry.DataStream!.CopyTo(data);
                members.Add((entry.Name, data.ToArray(), offset));
                offset += 512 + ((data.Length + 511) / 512 * 512);
            }
        }

        (long X, long Y)[] grid = [(0, 0), (256, 0), (0, 256), (256, 256)];
        Assert.Equal(grid.SelectMany(g => new[] { $"case-00_{g.X}_{g.Y}.jpg", $"case-00_{g.X}_{g.Y}.json" }), members.Select(m => m.Name));
        IList<PatchIndexRow> rows = PatchIndex.Read(Path.Combine(folder, "case-00-000000.parquet"));
        Assert.Equal(grid.Length, rows.Count);
        for (int i = 0; i < grid.Length; i++)
        {
            byte[] expected = NativeJpegEncoder.Encode(slide.ReadRegion(grid[i].X, grid[i].Y, 0, 256, 256), 256, 256, 256 * 3, 3, JpegColorSpace.YCbCr, 85);
            Assert.Equal(expected, members[2 * i].Data);
            using JsonDocument sidecar = JsonDocument.Parse(members[(2 * i) + 1].Data);
            Assert.Equal(inputs[0].Path, sidecar.RootElement.GetProperty("slide").GetString());
            Assert.Equal(grid[i].X, sidecar.RootElement.GetProperty("x").GetInt64());
            Assert.Equal(grid[i].Y, sidecar.RootElement.GetProperty("y").GetInt64());
            Assert.Equal(0, sidecar.RootElement.GetProperty("level").GetInt32());
            Assert.Equal(0.499, sidecar.RootElement.GetProperty("mpp").GetDouble(), 9);
            Assert.Equal("tumour", sidecar.RootElement.GetProperty("label").GetString());
            PatchIndexRow row = rows[i];
            Assert.Equal((grid[i].X, grid[i].Y, $"case-00_{grid[i].X}_{grid[i].Y}", "case-00-000000.tar"), (row.X, row.Y, row.Key, row.File));
            Assert.Equal(members[2 * i].Offset, row.Offset);
            Assert.Equal(expected.Length, row.Bytes);
        }
    }

    [Fact]
    public void Png_patches_and_deepzoom_tiles_decode_to_the_readers_pixels()
    {
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(1);
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string output = TilingFixture.NewFolder("png");
        TileRun.Run(inputs, output, Small with { Encoding = PatchEncoding.Png, Level = 1, Size = 128, Stride = 100, PatchesPerShard = 100 }, ShardSpec.All, cancellationToken: cancel);
        using Slide slide = Slide.Open(inputs[0].FullPath);
        string tar = Path.Combine(output, "case-00", "case-00-000000.tar");
        int checkedPatches = 0;
        foreach (PatchIndexRow row in PatchIndex.Read(Path.ChangeExtension(tar, ".parquet")))
        {
            byte[] png = new byte[row.Bytes];
            using (FileStream file = File.OpenRead(tar))
            {
                file.Position = row.Offset + 512;
                file.ReadExactly(png);
            }

            StbImageSharp.ImageResult image = StbImageSharp.ImageResult.FromMemory(png, StbImageSharp.ColorComponents.RedGreenBlue);
            Assert.Equal(slide.ReadRegion(row.X, row.Y, 1, 128, 128), image.Data);
            checkedPatches++;
        }

        Assert.Equal(6, checkedPatches); // level 1 is 350 x 260: columns at 0, 100, 200; rows at 0, 100

        // DeepZoom: the deepest level is level 0 as stored, the next one level 1 (downsample exactly 2 here).
        string dzi = TilingFixture.NewFolder("dzi-png");
        TileRun.Run(inputs, dzi, new TileOptions { Format = TileFormat.Dzi, Encoding = PatchEncoding.Png, Threads = 2 }, ShardSpec.All, cancellationToken: cancel);
        var pyramid = new DeepZoomPyramid(slide);
        int deepest = pyramid.LevelCount - 1;
        foreach ((int dz, int level, long column, long row) in new[] { (deepest, 0, 1L, 1L), (deepest, 0, 2L, 0L), (deepest - 1, 1, 1L, 0L) })
        {
            Assert.True(pyramid.TryGetTile(dz, column, row, out long left, out long top, out int width, out int height));
            StbImageSharp.ImageResult tile = StbImageSharp.ImageResult.FromMemory(
                File.ReadAllBytes(Path.Combine(dzi, "case-00", "case-00_files", $"{dz}", $"{column}_{row}.png")), StbImageSharp.ColorComponents.RedGreenBlue);
            Assert.Equal((width, height), (tile.Width, tile.Height));
            Assert.Equal(slide.ReadRegion(left << level, top << level, level, width, height), tile.Data);
        }
    }

    [Fact]
    public void Patches_at_an_mpp_are_the_loaders_resampled_patches_and_shards_roll_over()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(1);
        string output = TilingFixture.NewFolder("out");
        var options = Small with { Mpp = 1.0, Size = 64, Stride = 48, PatchesPerShard = 7 };
        TileSummary summary = TileRun.Run(inputs, output, options, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(summary.Failures);
        string folder = Path.Combine(output, "case-00");
        string[] tars = [.. Directory.GetFiles(folder, "*.tar").Order(StringComparer.Ordinal)];
        List<PatchIndexRow> rows = [.. tars.SelectMany(t => PatchIndex.Read(Path.ChangeExtension(t, ".parquet")))];
        Assert.Equal(summary.Patches, rows.Count);
        Assert.Equal((rows.Count + 6) / 7, tars.Length);
        Assert.True(rows.Count > 7, "more than one shard expected");
        using Slide slide = Slide.Open(inputs[0].FullPath);
        var resolution = PatchResolution.AtMpp(1.0);
        foreach (PatchIndexRow row in rows.Where((_, i) => i % 5 == 0))
        {
            byte[] expected = NativeJpegEncoder.Encode(ResolutionReads.Read(slide, row.X, row.Y, 64, 64, resolution), 64, 64, 64 * 3, 3, JpegColorSpace.YCbCr, 85);
            using FileStream tar = File.OpenRead(Path.Combine(folder, row.File));
            var actual = new byte[row.Bytes];
            tar.Position = row.Offset + 512;
            tar.ReadExactly(actual);
            Assert.Equal(expected, actual);
            Assert.Equal(1.0, row.Mpp);
        }
    }

    [Fact]
    public void Tissue_filtered_annotation_labelled_patches_are_the_loaders_grid_patches_and_pixels()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        string folder = TilingFixture.NewFolder("loader");
        SyntheticSlideWriter.Write(Path.Combine(folder, "big.svs"), TilingFixture.Spec(3) with { Width = 3000, Height = 2200, Levels = 3 });
        File.WriteAllText(Path.Combine(folder, "big.geojson"), """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1400, 0], [1400, 1100], [0, 1100], [0, 0]]]},
               "properties": {"objectType": "annotation", "classification": {"name": "Tumor"}}}]}
            """);
        string manifest = Path.Combine(folder, "slides.csv");
        File.WriteAllLines(manifest, ["path,label,annotations", "big.svs,case,big.geojson"]);
        var tissue = new TissueOptions { MaskSize = 256 };
        var options = new TileOptions { Mpp = 1.0, Size = 64, Stride = 96, Tissue = tissue, MinTissue = 0.3, Quality = 85, Threads = 2 };
        string output = TilingFixture.NewFolder("out");
        TileSummary summary = TileRun.Run(TileInput.FromManifest(manifest), output, options, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(summary.Failures);
        List<PatchIndexRow> rows = [.. Directory.GetFiles(Path.Combine(output, "big"), "*.parquet").Order(StringComparer.Ordinal).SelectMany(PatchIndex.Read)];

        var loader = new LoaderOptions
        {
            Patch = new PatchShape { Width = 64, Height = 64, Resolution = PatchResolution.AtMpp(1.0) },
            Tissue = tissue,
            MinTissue = 0.3,
            Sampling = new SamplingOptions { Mode = SamplingMode.Grid, Stride = 96, Shuffle = false },
        };
        using var dataset = SlideDataset.FromManifest(manifest, loader);
        IReadOnlyList<LoaderPatch> epoch = dataset.Epoch(0);
        Assert.Equal(epoch.Select(p => (p.X, p.Y, dataset.Classes[p.Label])), rows.Select(r => (r.X, r.Y, r.Label!)));
        Assert.Contains(rows, r => r.Label == "Tumor");
        Assert.Contains(rows, r => r.Label == "background");
        Assert.True(rows.Count < 31 * 22, "the tissue mask should have dropped background positions");
        var pixels = new byte[64 * 64 * 3];
        foreach (int i in new[] { 0, rows.Count / 2, rows.Count - 1 })
        {
            dataset.ReadPatch(epoch[i], pixels);
            byte[] expected = NativeJpegEncoder.Encode(pixels, 64, 64, 64 * 3, 3, JpegColorSpace.YCbCr, 85);
            using FileStream tar = File.OpenRead(Path.Combine(output, "big", rows[i].File));
            var actual = new byte[rows[i].Bytes];
            tar.Position = rows[i].Offset + 512;
            tar.ReadExactly(actual);
            Assert.Equal(expected, actual);
        }

        // The annotation file is part of the slide's identity: touching it redoes the slide.
        File.SetLastWriteTimeUtc(Path.Combine(folder, "big.geojson"), DateTime.UtcNow.AddMinutes(3));
        Assert.Equal(SlideOutputState.Stale, Assert.Single(TileCheck.Run(output)).State);
        Assert.Equal(1, TileRun.Run(TileInput.FromManifest(manifest), output, options, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken).Written);
    }

    [Fact]
    public void Reruns_shards_and_job_completion_indexes_give_the_same_bytes()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(5);
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string single = TilingFixture.NewFolder("single");
        TileSummary first = TileRun.Run(inputs, single, Small, ShardSpec.All, cancellationToken: cancel);
        Assert.Equal((5, 5, 0), (first.Slides, first.Written, first.Skipped));
        SortedDictionary<string, byte[]> before = TilingFixture.Files(single);

        TileSummary again = TileRun.Run(inputs, single, Small, ShardSpec.All, cancellationToken: cancel);
        Assert.Equal((5, 0, 5), (again.Slides, again.Written, again.Skipped));
        TilingFixture.AssertSameBytes(single, single); // sanity of the helper
        Assert.Equal(before.Keys, TilingFixture.Files(single).Keys);
        Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(Path.Combine(single, f.Key))));

        string sharded = TilingFixture.NewFolder("sharded");
        int total = 0;
        for (int i = 0; i < 3; i++)
        {
            total += TileRun.Run(inputs, sharded, Small, new ShardSpec(i, 3), cancellationToken: cancel).Slides;
        }

        Assert.Equal(5, total);
        TilingFixture.AssertSameBytes(single, sharded);

        string indexed = TilingFixture.NewFolder("indexed");
        for (int i = 2; i >= 0; i--)
        {
            int index = i;
            ShardSpec spec = ShardSpec.Resolve(null, 3, name => name == "JOB_COMPLETION_INDEX" ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
            Assert.Equal(new ShardSpec(i, 3), spec);
            TileRun.Run(inputs, indexed, Small, spec, cancellationToken: cancel);
        }

        TilingFixture.AssertSameBytes(single, indexed);
    }

    [Fact]
    public void A_changed_slide_is_redone_alone_and_changed_options_redo_everything()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (_, IReadOnlyList<TileInput> inputs) = TilingFixture.Cohort(3);
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string output = TilingFixture.NewFolder("out");
        TileRun.Run(inputs, output, Small, ShardSpec.All, cancellationToken: cancel);

        SyntheticSlideWriter.Write(inputs[1].FullPath, TilingFixture.Spec(1, seed: 7)); // new content, new mtime
        File.SetLastWriteTimeUtc(inputs[1].FullPath, DateTime.UtcNow.AddMinutes(1));
        TileSummary rerun = TileRun.Run(inputs, output, Small, ShardSpec.All, cancellationToken: cancel);
        Assert.Equal((1, 2), (rerun.Written, rerun.Skipped));
        string fresh = TilingFixture.NewFolder("fresh");
        TileRun.Run(inputs, fresh, Small, ShardSpec.All, cancellationToken: cancel);
        TilingFixture.AssertSameBytes(fresh, output);

        var other = Small with { Quality = 60 };
        TileSummary redo = TileRun.Run(inputs, output, other, ShardSpec.All, cancellationToken: cancel);
        Assert.Equal((3, 0), (redo.Written, redo.Skipped));
        Assert.Empty(Directory.GetDirectories(output, ".*"));
    }

    [Fact]
    public void A_broken_slide_is_reported_and_skipped_and_the_others_are_done()
    {
        Assert.SkipUnless(NativeShim.IsAvailable, "JPEG patches need the native shim: " + NativeShim.UnavailableReason);
        (string manifest, _) = TilingFixture.Cohort(2);
        string folder = Path.GetDirectoryName(manifest)!;
        byte[] good = File.ReadAllBytes(Path.Combine(folder, "case-00.svs"));
        File.WriteAllBytes(Path.Combine(folder, "broken.svs"), good.AsSpan(0, good.Length / 3).ToArray()); // tiles past the end
        File.WriteAllText(Path.Combine(folder, "text.svs"), "not a slide");
        File.AppendAllLines(manifest, ["broken.svs,x", "text.svs,x", "absent.svs,x", "http://127.0.0.1:9/remote.svs,x"]);
        string output = TilingFixture.NewFolder("out");
        TileSummary summary = TileRun.Run(TileInput.FromManifest(manifest), output, Small, ShardSpec.All, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, summary.Written);
        Assert.Equal(["absent.svs", "broken.svs", "remote.svs", "text.svs"], summary.Failures.Select(f => Path.GetFileName(f.Slide)).Order(StringComparer.Ordinal));
        Assert.Contains("local files", summary.Failures.Single(f => f.Slide.StartsWith("http", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
        Assert.All(summary.Failures, f => Assert.Contains(Path.GetFileNameWithoutExtension(f.Slide), f.Reason, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(output, "broken")));
        Assert.Empty(Directory.GetDirectories(output, ".*"));
        IReadOnlyList<SlideOutputStatus> check = TileCheck.Run(output);
        Assert.Equal(4, check.Count(s => s.State == SlideOutputState.Missing));
        using JsonDocument json = JsonDocument.Parse(summary.ToJson());
        Assert.Equal(4, json.RootElement.GetProperty("failures").GetArrayLength());
    }
}
