using Reader.Core;
using Reader.Core.Batch;
using Reader.Core.Sources.Remote;
using Reader.SlideWriter;
using Reader.Bench.Remote;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Remote;

/// <summary>
/// Slides over HTTP from a real Kestrel server on loopback: byte-identical regions to the local file for every slide
/// kind the suites generate, the request budget (open, aligned patches, batches), and faults (resets mid-range, 503
/// bursts, short bodies, a changed ETag, 404/403), each ending in a retry that succeeds or a clean, typed error.
/// </summary>
public sealed class HttpSourceTests : IAsyncLifetime
{
    private static readonly Dictionary<string, SyntheticSlideSpec> Kinds = new()
    {
        ["jpeg"] = new() { Width = 1500, Height = 1100, TileWidth = 256, TileHeight = 256, Levels = 3, Quality = 80 },
        ["deflate"] = new() { Width = 700, Height = 500, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Deflate, Predictor = true },
        ["lzw"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Lzw },
        ["zstd"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Zstd },
        ["raw"] = new() { Width = 400, Height = 300, TileWidth = 64, TileHeight = 64, Levels = 2, Compression = SlideCompression.None },
        ["bigtiff"] = new() { Width = 900, Height = 700, TileWidth = 128, TileHeight = 128, Levels = 2, BigTiff = true, BigEndian = true },
        ["subifd"] = new() { Width = 800, Height = 600, TileWidth = 128, TileHeight = 128, Levels = 3, Vendor = SlideVendor.SubIfd },
        ["svs"] = new() { Width = 1200, Height = 960, TileWidth = 240, TileHeight = 240, Levels = 2, Vendor = SlideVendor.Aperio, Color = SlideColor.RgbCodedJpeg },
    };

    private readonly string folder = TestSlides.NewPath("http-root");
    private RangeServer server = null!;

    public static TheoryData<string> KindNames => [.. Kinds.Keys, "ndpi"];

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        server = await RangeServer.StartAsync(folder);
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Theory]
    [MemberData(nameof(KindNames))]
    public void Regions_over_http_equal_the_local_file(string kind)
    {
        string local = Publish(kind);
        using var expected = Slide.Open(local);
        using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() });
        Assert.Equal(expected.Levels.Select(l => (l.Width, l.Height)), remote.Levels.Select(l => (l.Width, l.Height)));
        Assert.Equal(expected.Properties, remote.Properties);
        var random = new Random(kind.Length);
        foreach (SlideLevel level in expected.Levels)
        {
            for (int i = 0; i < 6; i++)
            {
                long x = random.NextInt64(-40, level.Width) << level.Index, y = random.NextInt64(-40, level.Height) << level.Index;
                int w = random.Next(1, 400), h = random.Next(1, 300);
                Assert.Equal(expected.ReadRegion(x, y, level.Index, w, h, PixelFormat.Rgba32), remote.ReadRegion(x, y, level.Index, w, h, PixelFormat.Rgba32));
            }
        }

        foreach (string name in expected.AssociatedImageNames)
        {
            Assert.Equal(expected.ReadAssociatedImage(name), remote.ReadAssociatedImage(name));
        }
    }

    [Fact]
    public void Opening_a_pyramid_costs_at_most_3_requests_and_aligned_patches_at_most_1_each()
    {
        string local = Publish("jpeg");
        RemoteOptions options = Fresh();
        server.ResetCounters();
        using var slide = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = options });
        int open = server.Requests;
        Assert.True(open <= 3, $"open took {open} requests: {string.Join("; ", server.Log)}");

        // Aligned 256 patches in scan order after open: on average at most one request each.
        server.ResetCounters();
        int patches = 0;
        for (long y = 0; y < slide.Levels[0].Height; y += 256)
        {
            for (long x = 0; x < slide.Levels[0].Width; x += 256)
            {
                slide.ReadRegion(x, y, 0, 256, 256);
                patches++;
            }
        }

        Assert.True(server.Requests <= patches, $"{server.Requests} requests for {patches} patches");
        Assert.Equal(options.Cache.Statistics.Requests, open + server.Requests);
    }

    [Fact]
    public void A_region_spanning_many_tiles_is_fetched_in_merged_requests()
    {
        string local = Publish("jpeg");
        using var slide = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() with { OpenReadAhead = 64 << 10, BlockSize = 64 << 10 }, CacheCapacity = 0 });
        server.ResetCounters();
        byte[] pixels = slide.ReadRegion(0, 0, 0, 1500, 1100);
        using var expected = Slide.Open(local);
        Assert.Equal(expected.ReadRegion(0, 0, 0, 1500, 1100), pixels);
        int tiles = 6 * 5;
        Assert.True(server.Requests < tiles / 2, $"{server.Requests} requests for {tiles} tiles: {string.Join("; ", server.Log)}");
    }

    [Fact]
    public async Task Batches_and_ReadRangesAsync_read_the_same_bytes()
    {
        string local = Publish("deflate");
        using var expected = Slide.Open(local);
        using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() });
        PatchLocation[] at = [new(0, 0), new(128, 128), new(500, 300), new(650, 450), new(-10, 20)];
        foreach (PatchBatch batch in remote.ReadRegions(at, 100, 90, 0, new BatchOptions { BatchSize = 2, Workers = 2 }, TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    PatchLocation p = batch.Locations.Span[i];
                    Assert.True(batch.Patch(i).SequenceEqual(expected.ReadRegion(p.X, p.Y, 0, 100, 90)));
                }
            }
        }

        using var source = RemoteSlideSource.Open(new HttpTransport(server.AddressOf(Path.GetFileName(local))), Fresh(), TestContext.Current.CancellationToken);
        byte[] file = File.ReadAllBytes(local);
        Reader.Core.Sources.ByteRange[] ranges = [new(0, 10), new(1000, 5000), new(file.Length - 7, 7), new(300_000 % file.Length, 1)];
        IReadOnlyList<ReadOnlyMemory<byte>> got = await source.ReadRangesAsync(ranges, cancellationToken: TestContext.Current.CancellationToken);
        for (int i = 0; i < ranges.Length; i++)
        {
            Assert.True(got[i].Span.SequenceEqual(file.AsSpan((int)ranges[i].Offset, ranges[i].Length)), $"range {i}");
        }
    }

    [Fact]
    public void A_connection_reset_mid_range_is_retried()
    {
        string local = Publish("jpeg");
        using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() with { OpenReadAhead = 64 << 10, BlockSize = 64 << 10 } });
        using var expected = Slide.Open(local);
        server.ResetNext(2);
        Assert.Equal(expected.ReadRegion(0, 0, 0, 1500, 1100), remote.ReadRegion(0, 0, 0, 1500, 1100));
        Assert.Contains(server.Log, l => l.EndsWith("-> 206", StringComparison.Ordinal));
    }

    [Fact]
    public void A_503_burst_is_retried_and_a_503_storm_fails_naming_the_url_and_range()
    {
        string local = Publish("lzw");
        Uri address = server.AddressOf(Path.GetFileName(local));
        using var expected = Slide.Open(local);
        RemoteOptions options = Fresh() with { RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetries = 4 };
        server.FailNext(3);
        using (var remote = Slide.Open(address.ToString(), new SlideOptions { Remote = options }))
        {
            Assert.Equal(expected.ReadRegion(0, 0, 0, 600, 400), remote.ReadRegion(0, 0, 0, 600, 400));
        }

        server.FailNext(1000);
        server.ResetCounters();
        RemoteSourceException e = Assert.Throws<RemoteSourceException>(() => Slide.Open(address.ToString(), new SlideOptions { Remote = Fresh() with { RetryDelay = TimeSpan.FromMilliseconds(5) } }));
        server.FailNext(0);
        Assert.Contains(address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped), e.Message, StringComparison.Ordinal);
        Assert.Contains("bytes 0-", e.Message, StringComparison.Ordinal);
        Assert.Contains("503", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, server.Requests); // the first try and 4 retries, no more
    }

    [Fact]
    public void A_short_body_is_retried()
    {
        string local = Publish("zstd");
        using var expected = Slide.Open(local);
        server.ShortNext(1);
        using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() });
        Assert.Equal(expected.ReadRegion(0, 0, 0, 600, 400), remote.ReadRegion(0, 0, 0, 600, 400));
    }

    [Fact]
    public void An_object_changed_under_the_reader_fails_instead_of_mixing_versions()
    {
        string local = Publish("jpeg");
        using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() with { OpenReadAhead = 4096, BlockSize = 4096 }, CacheCapacity = 0 });
        server.ChangeVersions();
        server.ResetCounters();
        RemoteSourceException e = Assert.Throws<RemoteSourceException>(() => remote.ReadRegion(0, 0, 0, 1500, 1100));
        Assert.Contains("changed", e.Message, StringComparison.Ordinal);
        Assert.True(server.Requests <= 8, $"a changed object must not be retried: {server.Requests} requests");
    }

    [Fact]
    public void Not_found_and_forbidden_fail_at_once_and_no_credential_reaches_a_message()
    {
        string local = Publish("raw");
        Uri missing = new(server.BaseAddress, "no-such-slide.svs");
        var withSecrets = new UriBuilder(missing) { UserName = "alice", Password = "hunter2", Query = "sig=TOPSECRET" }.Uri;
        server.ResetCounters();
        RemoteSourceException e = Assert.Throws<RemoteSourceException>(() => Slide.Open(withSecrets.ToString(), new SlideOptions { Remote = Fresh() }));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TOPSECRET", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("alice", e.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);

        server.FailNext(1, 403);
        server.ResetCounters();
        e = Assert.Throws<RemoteSourceException>(() => Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = Fresh() }));
        Assert.Contains("access denied", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public void Concurrent_readers_share_blocks_and_fetch_each_once()
    {
        string local = Publish("jpeg");
        RemoteOptions options = Fresh() with { OpenReadAhead = 16 << 10, BlockSize = 16 << 10 };
        server.Latency = TimeSpan.FromMilliseconds(20);
        try
        {
            using var remote = Slide.Open(server.AddressOf(Path.GetFileName(local)).ToString(), new SlideOptions { Remote = options, CacheCapacity = 0 });
            using var expected = Slide.Open(local);
            byte[] truth = expected.ReadRegion(0, 0, 0, 1500, 1100);
            server.ResetCounters();
            Parallel.For(0, 8, _ => Assert.Equal(truth, remote.ReadRegion(0, 0, 0, 1500, 1100)));
            long blocks = (new FileInfo(local).Length + (16 << 10) - 1) / (16 << 10);
            Assert.True(server.Requests <= blocks, $"{server.Requests} requests for {blocks} blocks: single-flight failed");
        }
        finally
        {
            server.Latency = TimeSpan.Zero;
        }
    }

    [Fact]
    public void The_cli_reads_an_http_slide()
    {
        string local = Publish("svs");
        Programs.Result info = Programs.Run("wsi.dll", "info", server.AddressOf(Path.GetFileName(local)).ToString());
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Contains("aperio", info.Output, StringComparison.Ordinal);
        string png = TestSlides.NewPath("remote.png");
        Programs.Result region = Programs.Run("wsi.dll", "region", server.AddressOf(Path.GetFileName(local)).ToString(), "--x", "10", "--y", "20", "--width", "300", "--height", "200", "--out", png);
        Assert.True(region.ExitCode == 0, region.Error);
        Programs.Result missing = Programs.Run("wsi.dll", "info", new Uri(server.BaseAddress, "gone.svs").ToString());
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Error, StringComparison.Ordinal);
        Assert.Single(missing.Error.Trim().Split('\n'));
    }

    private static RemoteOptions Fresh() => RemoteOptions.Default with { Cache = new RemoteBlockCache(64L << 20) };

    private string Publish(string kind)
    {
        string target = Path.Combine(folder, kind + (kind == "svs" ? ".svs" : kind == "ndpi" ? ".ndpi" : ".tif"));
        if (!File.Exists(target))
        {
            if (kind == "ndpi")
            {
                Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "the NDPI writer needs the shim: " + Reader.Native.NativeShim.UnavailableReason);
                NdpiSlideWriter.Write(target, new NdpiSlideSpec());
            }
            else
            {
                File.Copy(TestSlides.Get(Kinds[kind]), target);
            }
        }

        return target;
    }
}

/// <summary>HTTPS with HTTP/2 offered: the transport negotiates HTTP/2 (ALPN) and reads the same bytes.</summary>
public sealed class Http2SourceTests
{
    [Fact]
    public async Task Https_with_http2_offered_is_read_over_http2()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);

        string folder = TestSlides.NewPath("https-root");
        Directory.CreateDirectory(folder);
        string local = Path.Combine(folder, "slide.tif");
        File.Copy(TestSlides.Get(new SyntheticSlideSpec { Width = 600, Height = 500, TileWidth = 128, TileHeight = 128, Levels = 2, Quality = 80 }), local);
        await using RangeServer server = await RangeServer.StartAsync(folder, certificate);
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString() } };
        using var client = new HttpClient(handler);
        using var source = RemoteSlideSource.Open(new HttpTransport(server.AddressOf("slide.tif"), client), RemoteOptions.Default with { Cache = new RemoteBlockCache(16L << 20) }, TestContext.Current.CancellationToken);
        using var remote = Slide.Open(source);
        using var expected = Slide.Open(local);
        Assert.Equal(expected.ReadRegion(0, 0, 0, 600, 500), remote.ReadRegion(0, 0, 0, 600, 500));
        Assert.Contains(server.Log, l => l.Contains("HTTP/2", StringComparison.Ordinal));
        Assert.DoesNotContain(server.Log, l => l.Contains("HTTP/1.1", StringComparison.Ordinal));
    }
}
