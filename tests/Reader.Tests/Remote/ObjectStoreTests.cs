using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Reader.Core;
using Reader.Core.Sources.Remote;
using Reader.Remote;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Remote;

/// <summary>The object stores, started once for the class (or the reason they cannot run here).</summary>
public sealed class StoresFixture : IAsyncLifetime
{
    internal ObjectStores? Stores { get; private set; }

    public string? Problem { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Problem = ObjectStores.Unavailable;
        if (Problem is null)
        {
            try
            {
                Stores = await ObjectStores.StartAsync();
            }
            catch (InvalidOperationException e)
            {
                Problem = e.Message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Stores is not null)
        {
            await Stores.DisposeAsync();
        }
    }
}

/// <summary>
/// Slides in S3 (s3rver) and Azure Blob storage (Azurite), real servers from the npm registry: byte-identical regions
/// to the local file, siblings listed by prefix, the pinned version, and the CLI on an s3:// address.
/// </summary>
public sealed class ObjectStoreTests(StoresFixture fixture) : IClassFixture<StoresFixture>
{
    private const string Bucket = "slides";

    private static readonly Dictionary<string, SyntheticSlideSpec> Kinds = new()
    {
        ["jpeg"] = new() { Width = 1200, Height = 900, TileWidth = 256, TileHeight = 256, Levels = 3, Quality = 80 },
        ["deflate"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Deflate },
        ["svs"] = new() { Width = 960, Height = 720, TileWidth = 240, TileHeight = 240, Levels = 2, Vendor = SlideVendor.Aperio, Color = SlideColor.RgbCodedJpeg },
    };

    public static TheoryData<string> KindNames => [.. Kinds.Keys, "ndpi"];

    [Theory]
    [MemberData(nameof(KindNames))]
    public async Task S3_regions_equal_the_local_file(string kind)
    {
        ObjectStores stores = Require();
        string local = Local(kind);
        using AmazonS3Client client = S3Client(stores);
        await EnsureBucket(client);
        string key = $"cohort/{kind}/{Path.GetFileName(local)}";
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = local, UseChunkEncoding = false }, TestContext.Current.CancellationToken);

        using var transport = RemoteSources.OpenS3(new Uri($"s3://{Bucket}/{key}"), S3Options(stores));
        using var source = RemoteSlideSource.Open(RemoteSources.OpenS3(new Uri($"s3://{Bucket}/{key}"), S3Options(stores)), Fresh(), TestContext.Current.CancellationToken);
        using var remote = Slide.Open(source);
        AssertSameRegions(local, remote);
        Assert.Contains(Path.GetFileName(local), await transport.ListSiblingsAsync(TestContext.Current.CancellationToken) ?? []);
    }

    [Theory]
    [MemberData(nameof(KindNames))]
    public async Task Azure_regions_equal_the_local_file(string kind)
    {
        ObjectStores stores = Require();
        string local = Local(kind);
        BlobContainerClient container = new BlobServiceClient(stores.AzureConnectionString).GetBlobContainerClient("slides");
        await container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        string blob = $"cohort/{kind}/{Path.GetFileName(local)}";
        await container.GetBlobClient(blob).UploadAsync(local, overwrite: true, TestContext.Current.CancellationToken);

        var address = new Uri($"az://{ObjectStores.AzuriteAccount}/slides/{blob}");
        using var source = RemoteSlideSource.Open(RemoteSources.OpenAzure(address, new AzureSourceOptions { ConnectionString = stores.AzureConnectionString }), Fresh(), TestContext.Current.CancellationToken);
        using var remote = Slide.Open(source);
        AssertSameRegions(local, remote);
        Assert.Equal([Path.GetFileName(local)], source.Siblings!.List());
    }

    [Fact]
    public async Task A_dicom_series_finds_its_siblings_by_prefix_in_s3_and_azure()
    {
        ObjectStores stores = Require();
        string folder = TestSlides.NewPath("dicom-series");
        Directory.CreateDirectory(folder);
        IReadOnlyList<string> files = DicomSeriesWriter.Write(folder, new DicomSeriesSpec { Width = 700, Height = 500, TileWidth = 128, TileHeight = 128, Levels = 3, Seed = 4 });
        Assert.True(files.Count >= 4, "a series of several instances (levels and associated images)");
        using AmazonS3Client client = S3Client(stores);
        await EnsureBucket(client);
        BlobContainerClient container = new BlobServiceClient(stores.AzureConnectionString).GetBlobContainerClient("dicom");
        await container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "series/" + name, FilePath = file, UseChunkEncoding = false }, TestContext.Current.CancellationToken);
            await container.GetBlobClient("series/" + name).UploadAsync(file, overwrite: true, TestContext.Current.CancellationToken);
        }

        // Open an instance that is not the largest level: the driver lists the prefix and reads the whole series.
        string opened = Path.GetFileName(files[^1]);
        using var local = Slide.Open(files[^1]);
        Assert.True(local.Levels.Count >= 3, "the local series has its levels");
        using var s3 = Slide.Open(RemoteSlideSource.Open(RemoteSources.OpenS3(new Uri($"s3://{Bucket}/series/{opened}"), S3Options(stores)), Fresh(), TestContext.Current.CancellationToken));
        using var azure = Slide.Open(RemoteSlideSource.Open(RemoteSources.OpenAzure(new Uri($"az://{ObjectStores.AzuriteAccount}/dicom/series/{opened}"), new AzureSourceOptions { ConnectionString = stores.AzureConnectionString }), Fresh(), TestContext.Current.CancellationToken));
        foreach (Slide remote in new[] { s3, azure })
        {
            Assert.Equal("dicom", remote.Properties["openslide.vendor"]);
            Assert.Equal(local.Levels.Select(l => (l.Width, l.Height)), remote.Levels.Select(l => (l.Width, l.Height)));
            Assert.Equal(local.Properties, remote.Properties);
            Assert.Equal(local.AssociatedImageNames, remote.AssociatedImageNames);
            foreach (SlideLevel level in local.Levels)
            {
                Assert.Equal(local.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32), remote.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32));
            }
        }
    }

    [Fact]
    public async Task A_blob_overwritten_while_open_fails_instead_of_mixing_versions()
    {
        ObjectStores stores = Require();
        string local = Local("jpeg");
        BlobContainerClient container = new BlobServiceClient(stores.AzureConnectionString).GetBlobContainerClient("changing");
        await container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await container.GetBlobClient("slide.tif").UploadAsync(local, overwrite: true, TestContext.Current.CancellationToken);
        var address = new Uri($"az://{ObjectStores.AzuriteAccount}/changing/slide.tif");
        using var remote = Slide.Open(RemoteSlideSource.Open(RemoteSources.OpenAzure(address, new AzureSourceOptions { ConnectionString = stores.AzureConnectionString }), Fresh() with { OpenReadAhead = 4096, BlockSize = 4096 }, TestContext.Current.CancellationToken), new SlideOptions { CacheCapacity = 0 });
        await container.GetBlobClient("slide.tif").UploadAsync(Local("deflate"), overwrite: true, TestContext.Current.CancellationToken);
        RemoteSourceException e = Assert.Throws<RemoteSourceException>(() => remote.ReadRegion(0, 0, 0, 1200, 900));
        Assert.Contains("changed", e.Message, StringComparison.Ordinal);
        Assert.Contains("az://devstoreaccount1/changing/slide.tif", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(stores.AzureConnectionString!.Split("AccountKey=")[1][..20], e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_s3_key_fails_at_once_naming_it()
    {
        ObjectStores stores = Require();
        using AmazonS3Client client = S3Client(stores);
        await EnsureBucket(client);
        RemoteSourceException e = Assert.Throws<RemoteSourceException>(() => RemoteSlideSource.Open(RemoteSources.OpenS3(new Uri($"s3://{Bucket}/nothing/here.svs"), S3Options(stores)), Fresh(), TestContext.Current.CancellationToken));
        Assert.Contains("s3://slides/nothing/here.svs", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ObjectStores.S3Secret + "x", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_reads_s3_with_the_sdk_environment()
    {
        ObjectStores stores = Require();
        string local = Local("svs");
        using AmazonS3Client client = S3Client(stores);
        await EnsureBucket(client);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "cli/slide.svs", FilePath = local, UseChunkEncoding = false }, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = stores.S3Endpoint!.ToString(),
            ["AWS_ACCESS_KEY_ID"] = ObjectStores.S3Key,
            ["AWS_SECRET_ACCESS_KEY"] = ObjectStores.S3Secret,
            ["AWS_REGION"] = "us-east-1",
        };
        Programs.Result info = Programs.Run("wsi.dll", environment, "info", "s3://slides/cli/slide.svs");
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Contains("aperio", info.Output, StringComparison.Ordinal);
        string raw = TestSlides.NewPath("s3.raw");
        Programs.Result region = Programs.Run("wsi.dll", environment, "region", "s3://slides/cli/slide.svs", "--x", "100", "--y", "50", "--width", "200", "--height", "150", "--out", raw);
        Assert.True(region.ExitCode == 0, region.Error);
        using var expected = Slide.Open(local);
        Assert.Equal(expected.ReadRegion(100, 50, 0, 200, 150, PixelFormat.Rgba32), File.ReadAllBytes(raw));
    }

    private static void AssertSameRegions(string local, Slide remote)
    {
        using var expected = Slide.Open(local);
        Assert.Equal(expected.Properties, remote.Properties);
        var random = new Random(7);
        foreach (SlideLevel level in expected.Levels)
        {
            for (int i = 0; i < 4; i++)
            {
                long x = random.NextInt64(-30, level.Width) << level.Index, y = random.NextInt64(-30, level.Height) << level.Index;
                int w = random.Next(1, 300), h = random.Next(1, 300);
                Assert.Equal(expected.ReadRegion(x, y, level.Index, w, h, PixelFormat.Rgba32), remote.ReadRegion(x, y, level.Index, w, h, PixelFormat.Rgba32));
            }
        }
    }

    private static RemoteOptions Fresh() => RemoteOptions.Default with { Cache = new RemoteBlockCache(64L << 20) };

    private static S3SourceOptions S3Options(ObjectStores stores) =>
        new() { ServiceUrl = stores.S3Endpoint!.ToString(), Credentials = new BasicAWSCredentials(ObjectStores.S3Key, ObjectStores.S3Secret) };

    private static AmazonS3Client S3Client(ObjectStores stores) =>
        new(new BasicAWSCredentials(ObjectStores.S3Key, ObjectStores.S3Secret), new AmazonS3Config
        {
            ServiceURL = stores.S3Endpoint!.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    // Uploads use UseChunkEncoding = false: s3rver 3.7 stores aws-chunked (SDK v4's default) bodies undecoded.
    private static async Task EnsureBucket(AmazonS3Client client)
    {
        try
        {
            await client.PutBucketAsync(Bucket, TestContext.Current.CancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
    }

    private static string Local(string kind)
    {
        if (kind == "ndpi")
        {
            Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "the NDPI writer needs the shim: " + Reader.Native.NativeShim.UnavailableReason);
            string path = Path.Combine(TestSlides.TempFolder, "store-slide.ndpi");
            if (!File.Exists(path))
            {
                NdpiSlideWriter.Write(path, new NdpiSlideSpec());
            }

            return path;
        }

        return TestSlides.Get(Kinds[kind]);
    }

    private ObjectStores Require()
    {
        Assert.SkipWhen(fixture.Stores is null, "NEEDS s3rver and Azurite (npm), unavailable here: " + fixture.Problem);
        return fixture.Stores!;
    }
}
