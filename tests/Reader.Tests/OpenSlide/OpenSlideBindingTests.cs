using System.Globalization;
using System.Security.Cryptography;
using Reader.Reference.OpenSlide;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.OpenSlide;

/// <summary>
/// Our binding over libopenslide, against what OpenSlide 3.4.1 and openslide-python 1.2.0 report
/// for the real fixtures (../shared/fixtures/real/MANIFEST.md). Without libopenslide, or without
/// the fixtures, these tests report themselves skipped.
/// </summary>
public class OpenSlideBindingTests
{
    private const string Cmu = "CMU-1-Small-Region.svs";

    public static TheoryData<string, string, (long W, long H)[], double[], string[]> Structures => new()
    {
        { Cmu, "aperio", [(2220, 2967)], [1.0], ["label", "macro", "thumbnail"] },
        { "cog_rgb.tif", "generic-tiff", [(383, 232), (192, 116)], [1.0, 1.9974], [] },
        {
            "image_web_z5_z11.tif", "generic-tiff",
            [(8448, 8448), (4224, 4224), (2112, 2112), (1056, 1056), (528, 528), (264, 264)],
            [1.0, 2.0, 4.0, 8.0, 16.0, 32.0], []
        },
    };

    /// <summary>MANIFEST.md: md5 of the RGBA bytes of the whole smallest level (capped 4096) and of level 0 (0,0) up to 512x512.</summary>
    public static TheoryData<string, string, string> ReferenceHashes => new()
    {
        { Cmu, "6d2156715ab1d8e24ce2681237fc0dfb", "78f2412e9d17912df8437f0b0e1a60cf" },
        { "cog_hirise_mars.tif", "35cf9e2f099c00b7e2176f81824b5175", "f41f19b9f8ff35b385d84e7e7e93556c" },
    };

    [Fact]
    public void Library_reports_its_version()
    {
        RequireOpenSlide();
        Assert.False(string.IsNullOrEmpty(OpenSlideImage.LibraryVersion));
        Assert.Equal(string.Empty, OpenSlideImage.UnavailableReason);
    }

    [Theory]
    [MemberData(nameof(Structures))]
    public void Reports_vendor_levels_downsamples_and_associated_images(
        string name, string vendor, (long W, long H)[] levels, double[] downsamples, string[] associated)
    {
        string path = Fixture(name);
        Assert.Equal(vendor, OpenSlideImage.DetectVendor(path));

        using var slide = OpenSlideImage.Open(path);
        Assert.Equal(vendor, slide.GetProperty("openslide.vendor"));
        Assert.Equal(levels.Length, slide.LevelCount);
        Assert.Equal(levels, Enumerable.Range(0, slide.LevelCount).Select(l => slide.LevelDimensions(l)).ToArray());
        Assert.Equal(levels[0], slide.Dimensions);
        for (int level = 0; level < levels.Length; level++)
        {
            Assert.Equal(downsamples[level], slide.LevelDownsample(level), 4); // MANIFEST rounds to 4 decimals
        }

        Assert.Equal(associated, slide.AssociatedImageNames.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(ReferenceHashes))]
    public void Rgba_regions_hash_as_openslide_python_reads_them(string name, string smallestLevelMd5, string level0Md5)
    {
        using var slide = OpenSlideImage.Open(Fixture(name));

        int smallest = slide.LevelCount - 1;
        (long w, long h) = slide.LevelDimensions(smallest);
        byte[] whole = slide.ReadRegionRgba(0, 0, smallest, (int)Math.Min(w, 4096), (int)Math.Min(h, 4096));
        Assert.Equal(smallestLevelMd5, Md5(whole));

        (w, h) = slide.LevelDimensions(0);
        byte[] corner = slide.ReadRegionRgba(0, 0, 0, (int)Math.Min(w, 512), (int)Math.Min(h, 512));
        Assert.Equal(level0Md5, Md5(corner));
    }

    /// <summary>
    /// The MANIFEST regions are opaque, so they only exercise alpha 255 (and 0). This region of
    /// cog_rgb (level 1, whose downsample 1.9974 is not whole, read from an odd level-0 offset
    /// and past the right and bottom edges) has OpenSlide blend edge pixels with transparency:
    /// alphas 63 and 127 appear, so the un-premultiply arithmetic itself is checked. Reference:
    /// md5 of <c>OpenSlide("cog_rgb.tif").read_region((3, 1), 1, (200, 120)).tobytes()</c> with
    /// python3-openslide 1.2.0 and libopenslide 3.4.1 (Debian 12).
    /// </summary>
    [Fact]
    public void Partly_transparent_pixels_unpremultiply_as_openslide_python_does()
    {
        using var slide = OpenSlideImage.Open(Fixture("cog_rgb.tif"));
        uint[] argb = slide.ReadRegion(3, 1, 1, 200, 120);
        Assert.Contains(argb, p => p >> 24 is > 0 and < 255);

        byte[] rgba = slide.ReadRegionRgba(3, 1, 1, 200, 120);
        Assert.Equal(ArgbConversion.ToRgba(argb), rgba);
        Assert.Equal("5092a9cd2f7a41d0c570708f6e6f9e37", Md5(rgba));
    }

    [Fact]
    public void Rgb_is_rgba_without_alpha()
    {
        using var slide = OpenSlideImage.Open(Fixture("cog_rgb.tif"));
        byte[] rgba = slide.ReadRegionRgba(3, 1, 1, 200, 120);
        byte[] rgb = slide.ReadRegionRgb(3, 1, 1, 200, 120);
        Assert.Equal(200 * 120 * 3, rgb.Length);
        Assert.Equal(rgba.Where((_, i) => i % 4 != 3).ToArray(), rgb);
    }

    [Fact]
    public void Properties_are_listed_and_looked_up()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        IReadOnlyList<string> names = slide.PropertyNames;
        Assert.Contains("openslide.vendor", names);
        Assert.Contains("openslide.mpp-x", names);
        Assert.Contains("aperio.AppMag", names);
        Assert.Equal("aperio", slide.GetProperty("openslide.vendor"));
        string? mpp = slide.GetProperty("openslide.mpp-x");
        Assert.NotNull(mpp);
        Assert.Equal(0.499, double.Parse(mpp, CultureInfo.InvariantCulture), 3);
        Assert.Equal("20", slide.GetProperty("openslide.objective-power"));
        Assert.Null(slide.GetProperty("no.such.property"));
        Assert.All(names, n => Assert.NotNull(slide.GetProperty(n)));
    }

    [Fact]
    public void Best_level_for_a_downsample_is_the_largest_level_not_above_it()
    {
        using var slide = OpenSlideImage.Open(Fixture("image_web_z5_z11.tif"));
        Assert.Equal([0, 0, 1, 1, 2, 5], new[] { 0.5, 1.0, 2.5, 3.99, 4.0, 100.0 }.Select(slide.GetBestLevelForDownsample).ToArray());
    }

    /// <summary>Reference: md5 of <c>associated_images["label"].tobytes()</c>, python3-openslide 1.2.0.</summary>
    [Fact]
    public void Reads_the_label_associated_image()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        Assert.Equal((387L, 463L), slide.GetAssociatedImageDimensions("label"));

        uint[] argb = slide.ReadAssociatedImage("label");
        Assert.Equal(387 * 463, argb.Length);
        Assert.All(argb, p => Assert.Equal(255u, p >> 24));

        byte[] rgba = slide.ReadAssociatedImageRgba("label");
        Assert.Equal(ArgbConversion.ToRgba(argb), rgba);
        Assert.Equal("96dce65f89b29d147677e61361af3783", Md5(rgba));
    }

    [Fact]
    public void Unknown_associated_image_is_an_argument_error_that_leaves_the_slide_usable()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        Assert.Throws<ArgumentException>(() => slide.GetAssociatedImageDimensions("no-such-image"));
        Assert.Throws<ArgumentException>(() => slide.ReadAssociatedImage("no-such-image"));
        Assert.Equal(1, slide.LevelCount);
    }

    [Fact]
    public void An_unrecognised_file_throws()
    {
        string path = Fixture("histolab_broken.svs");
        Assert.Null(OpenSlideImage.DetectVendor(path));
        var e = Assert.Throws<OpenSlideException>(() => OpenSlideImage.Open(path));
        Assert.Contains("histolab_broken.svs", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a file OpenSlide can read", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void A_missing_file_throws_file_not_found()
    {
        RequireOpenSlide();
        string path = Path.Combine(Path.GetTempPath(), "no-such-slide-" + Guid.NewGuid().ToString("N") + ".svs");
        Assert.Null(OpenSlideImage.DetectVendor(path));
        Assert.Throws<FileNotFoundException>(() => OpenSlideImage.Open(path));
    }

    /// <summary>OpenSlide recognises the file (generic TIFF) but returns a handle already in error state.</summary>
    [Fact]
    public void A_recognised_file_that_fails_to_open_throws_with_openslides_message()
    {
        string path = Fixture("openslide-python_unopenable.tiff");
        Assert.Equal("generic-tiff", OpenSlideImage.DetectVendor(path));
        var e = Assert.Throws<OpenSlideException>(() => OpenSlideImage.Open(path));
        Assert.Contains("openslide-python_unopenable.tiff", e.Message, StringComparison.Ordinal);
        Assert.Contains("52479", e.OpenSlideMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_read_throws_and_the_error_sticks()
    {
        using var slide = OpenSlideImage.Open(Fixture("openslide-python_unreadable.svs"));
        Assert.Equal("aperio", slide.GetProperty("openslide.vendor"));

        var destination = new uint[16 * 16];
        destination.AsSpan().Fill(0xDEADBEEF);
        var e = Assert.Throws<OpenSlideException>(() => slide.ReadRegion(0, 0, 0, 16, 16, destination));
        Assert.Contains("openslide-python_unreadable.svs", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(e.OpenSlideMessage));
        Assert.All(destination, p => Assert.Equal(0u, p)); // OpenSlide clears the destination on error

        // The handle is dead from now on: every call reports the same error.
        var again = Assert.Throws<OpenSlideException>(() => slide.GetProperty("openslide.vendor"));
        Assert.Equal(e.OpenSlideMessage, again.OpenSlideMessage);
        Assert.Throws<OpenSlideException>(() => slide.LevelCount);
        Assert.Throws<OpenSlideException>(() => slide.ReadRegionRgba(0, 0, 0, 0, 0));
    }

    /// <summary>OpenSlide 3.4.1 turns a negative size into a terminal error on the handle; we refuse it first.</summary>
    [Fact]
    public void Bad_arguments_are_refused_before_reaching_openslide()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        var buffer = new uint[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 0, -4, 4, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 0, 4, -4, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 1, 4, 4, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, -1, 4, 4, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.ReadRegion(0, 0, 0, 9, 8, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.LevelDimensions(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => slide.LevelDownsample(-1));

        // Still healthy, and an empty region is fine.
        slide.ReadRegion(0, 0, 0, 0, 5, []);
        slide.ReadRegion(100, 100, 0, 8, 8, buffer);
        Assert.Contains(buffer, p => p != 0);
    }

    [Fact]
    public void Regions_outside_the_slide_are_transparent()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        uint[] argb = slide.ReadRegion(-64, -64, 0, 32, 32);
        Assert.All(argb, p => Assert.Equal(0u, p));
    }

    [Fact]
    public void Calls_after_dispose_throw_object_disposed()
    {
        var slide = OpenSlideImage.Open(Fixture(Cmu));
        slide.Dispose();
        slide.Dispose(); // idempotent
        Assert.True(slide.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => slide.ReadRegion(0, 0, 0, 4, 4, new uint[16]));
        Assert.Throws<ObjectDisposedException>(() => slide.ReadRegionRgba(0, 0, 0, 4, 4));
        Assert.Throws<ObjectDisposedException>(() => slide.LevelCount);
        Assert.Throws<ObjectDisposedException>(() => slide.LevelDimensions(0));
        Assert.Throws<ObjectDisposedException>(() => slide.GetProperty("openslide.vendor"));
        Assert.Throws<ObjectDisposedException>(() => slide.PropertyNames);
        Assert.Throws<ObjectDisposedException>(() => slide.AssociatedImageNames);
        Assert.Throws<ObjectDisposedException>(() => slide.ReadAssociatedImage("label"));
    }

    [Fact]
    public void Concurrent_reads_equal_single_threaded_reads()
    {
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        (long x, long y)[] origins =
            [.. Enumerable.Range(0, 24).Select(i => ((long)(i * 83 % 1900), (long)(i * 131 % 2600)))];
        byte[][] expected = [.. origins.Select(o => slide.ReadRegionRgba(o.x, o.y, 0, 300, 300))];

        const int threads = 4;
        var actual = new byte[threads][][];
        using var start = new Barrier(threads);
        Thread[] workers =
        [
            .. Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                var mine = new byte[origins.Length][];
                for (int k = 0; k < origins.Length; k++)
                {
                    int i = (k + (t * 7)) % origins.Length; // each thread in its own order
                    mine[i] = slide.ReadRegionRgba(origins[i].x, origins[i].y, 0, 300, 300);
                }

                actual[t] = mine;
            })
            {
                IsBackground = true,
            }),
        ];
        foreach (Thread w in workers)
        {
            w.Start();
        }

        foreach (Thread w in workers)
        {
            w.Join();
        }

        for (int t = 0; t < threads; t++)
        {
            Assert.NotNull(actual[t]);
            for (int i = 0; i < origins.Length; i++)
            {
                Assert.True(expected[i].AsSpan().SequenceEqual(actual[t][i]), $"thread {t}, region {i} differs");
            }
        }
    }

    /// <summary>Dispose while other threads read: no crash, and each reader ends with ObjectDisposedException only.</summary>
    [Fact]
    public void Dispose_during_concurrent_reads_does_not_free_the_handle_under_them()
    {
        var slide = OpenSlideImage.Open(Fixture(Cmu));
        const int threads = 4;
        var failures = new Exception?[threads];
        var disposedSeen = new bool[threads];
        int reads = 0;
        using var start = new Barrier(threads + 1);
        Thread[] workers =
        [
            .. Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                var buffer = new uint[256 * 256];
                try
                {
                    for (int i = 0; ; i++)
                    {
                        slide.ReadRegion((i * 97 + t * 13) % 1900, (i * 61) % 2700, 0, 256, 256, buffer);
                        Interlocked.Increment(ref reads);
                    }
                }
                catch (ObjectDisposedException)
                {
                    disposedSeen[t] = true;
                }
                catch (Exception e)
                {
                    failures[t] = e;
                }
            })
            {
                IsBackground = true,
            }),
        ];
        foreach (Thread w in workers)
        {
            w.Start();
        }

        start.SignalAndWait(TestContext.Current.CancellationToken);
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) >= 8, TimeSpan.FromSeconds(30));
        slide.Dispose();
        foreach (Thread w in workers)
        {
            Assert.True(w.Join(TimeSpan.FromSeconds(60)), "a reader did not stop after Dispose");
        }

        Assert.All(failures, f => Assert.Null(f));
        Assert.All(disposedSeen, Assert.True);
        Assert.True(reads >= 8);
        Assert.True(slide.IsClosed, "openslide_close did not run once the last reader left");
    }

    [Fact]
    public void OpenSlide_4_features_are_probed_not_assumed()
    {
        RequireOpenSlide();
        using var slide = OpenSlideImage.Open(Fixture(Cmu));
        bool is3 = OpenSlideImage.LibraryVersion!.StartsWith("3.", StringComparison.Ordinal);
        if (is3)
        {
            Assert.False(OpenSlideImage.SupportsCache);
            Assert.False(OpenSlideImage.SupportsIcc);
        }

        if (!OpenSlideImage.SupportsCache)
        {
            var e = Assert.Throws<NotSupportedException>(() => OpenSlideCache.Create(32 << 20));
            Assert.Contains("4.0", e.Message, StringComparison.Ordinal);
            Assert.Throws<NotSupportedException>(() => slide.SetCache(null!));
        }
        else
        {
            using (var cache = OpenSlideCache.Create(32 << 20))
            {
                slide.SetCache(cache);
            }

            Assert.Equal(64 * 64 * 4, slide.ReadRegionRgba(0, 0, 0, 64, 64).Length); // the slide keeps the cache alive
        }

        if (!OpenSlideImage.SupportsIcc)
        {
            var e = Assert.Throws<NotSupportedException>(slide.ReadIccProfile);
            Assert.Contains("4.0", e.Message, StringComparison.Ordinal);
            Assert.Throws<NotSupportedException>(() => slide.ReadAssociatedImageIccProfile("label"));
        }
        else
        {
            _ = slide.ReadIccProfile();
            _ = slide.ReadAssociatedImageIccProfile("label");
            Assert.Throws<ArgumentException>(() => slide.ReadAssociatedImageIccProfile("no-such-image"));
        }

        Assert.Equal(1, slide.LevelCount); // nothing above reached a missing export or hurt the handle
    }

    private static void RequireOpenSlide() => Assert.SkipUnless(OpenSlideImage.IsAvailable, OpenSlideImage.UnavailableReason);

    private static string Fixture(string name)
    {
        RequireOpenSlide();
        return FixtureFiles.Real(name);
    }

#pragma warning disable CA5351 // MD5 only to compare with the reference hashes in MANIFEST.md, not for security.
    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
}
