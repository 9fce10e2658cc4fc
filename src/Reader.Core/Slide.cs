using System.Globalization;
using Reader.Core.Assemble;
using Reader.Core.Batch;
using Reader.Core.Cache;
using Reader.Core.Decode;
using Reader.Core.Formats;
using Reader.Core.Open;
using Reader.Core.Sources;
using Reader.Native;

namespace Reader.Core;

/// <summary>
/// A whole-slide image opened for reading. Thread-safe: any number of threads may read
/// regions at once (positional file reads, per-thread decoders, no lock on the read path).
/// Disposing it makes later and concurrent reads throw <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class Slide : IDisposable
{
    private static int managedNoticeShown;

    private readonly SlideSource source;
    private readonly bool ownsSource;
    private readonly LevelSource[] levels;
    private readonly SlideLayout layout;
    private readonly long owner = TileCache.NewOwnerId();
    private readonly bool ownsCache;
    private int disposed;

    private Slide(SlideSource source, bool ownsSource, SlideLayout layout, LevelSource[] levels, SlideOptions options, DecoderBackend backend)
    {
        this.source = source;
        this.ownsSource = ownsSource;
        this.layout = layout;
        this.levels = levels;
        Options = options;
        Backend = backend;
        if (options.Cache is not null)
        {
            Cache = options.Cache;
        }
        else if (options.CacheCapacity > 0)
        {
            Cache = new TileCache(options.CacheCapacity);
            ownsCache = true;
        }

        Levels = [.. levels.Select(l => l.Info)];
        Properties = BuildProperties(layout, Levels);
        AssociatedImageNames = [.. layout.AssociatedImages.Keys.Order(StringComparer.Ordinal)];
        Mpp = ReadMpp(Properties);
        ObjectivePower = ReadDouble(Properties, "openslide.objective-power");
    }

    /// <summary>The file (or the source's name) this slide was opened from.</summary>
    public string Path => source.Name;

    /// <summary>The source the slide's bytes come from.</summary>
    public SlideSource Source => source;

    /// <summary>The vendor as OpenSlide names it: "aperio", "philips", "ome-tiff", "generic-tiff", or a registered driver's.</summary>
    public string Vendor => layout.Vendor;

    /// <summary>Microns per pixel of level 0 (openslide.mpp-x/-y), or null when the slide does not say.</summary>
    public MicronsPerPixel? Mpp { get; }

    /// <summary>The scanner's objective magnification (openslide.objective-power), or null when the slide does not say.</summary>
    public double? ObjectivePower { get; }

    /// <summary>Pyramid levels, largest first.</summary>
    public IReadOnlyList<SlideLevel> Levels { get; }

    /// <summary>The options the slide was opened with.</summary>
    public SlideOptions Options { get; }

    /// <summary>The decoded-tile cache this slide reads through (its own, or a shared one), or null when disabled.</summary>
    public TileCache? Cache { get; }

    /// <summary>The decoders actually in use (Native or Managed).</summary>
    public DecoderBackend Backend { get; }

    /// <summary>
    /// Properties under OpenSlide's names: openslide.* (vendor, levels, mpp, objective power, comment,
    /// quickhash-1, associated image sizes, ICC size), tiff.* and vendor.* (aperio.*, philips.*).
    /// Read once, at open: no I/O on access.
    /// </summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>Names of the associated images (thumbnail, label, macro), sorted.</summary>
    public IReadOnlyList<string> AssociatedImageNames { get; }

    /// <summary>
    /// The TIFF Orientation of the full-resolution image (1 = rows top to bottom, columns left to right).
    /// Pixels are always returned as stored; this says how the file asks for them to be displayed.
    /// </summary>
    public int Orientation => layout.Orientation;

    /// <summary>The ICC profile of the slide (TIFF tag 34675 of the full-resolution image), or null. No colour transform is applied, as in OpenSlide.</summary>
    public byte[]? IccProfile => layout.IccProfile?.Clone() as byte[];

    /// <summary>
    /// Opens a slide: a local path, a folder holding a DICOM series (opened through its first whole-slide instance by
    /// name), or an address (http://, https://, and s3:// or az:// once Reader.Remote is registered; see
    /// <see cref="Sources.Remote.SlideLocations"/>). Throws <see cref="UnsupportedFormatException"/> for files this reader cannot read,
    /// <see cref="CorruptSlideException"/> for damaged ones, <see cref="SlideLimitException"/> beyond the limits.
    /// </summary>
    public static Slide Open(string path, SlideOptions? options = null)
    {
        options ??= SlideOptions.Default;
        DecoderBackend backend = ResolveBackend(options);
        if (!Sources.Remote.SlideLocations.IsRemote(path, out _) && Directory.Exists(path))
        {
            // A folder: a DICOM series, opened through its first whole-slide instance (by name).
            path = Formats.Dicom.DicomFormat.FindInstance(path, options.Limits)
                ?? throw new UnsupportedFormatException(path, null, "a folder without a DICOM whole-slide image instance");
        }

        return Open(Sources.Remote.SlideLocations.Open(path, options.Remote), ownsSource: true, options, backend);
    }

    /// <summary>
    /// Opens a slide from <paramref name="source"/> (memory, a stream, or a source of your own). The slide
    /// disposes the source with itself unless <paramref name="leaveOpen"/>.
    /// </summary>
    public static Slide Open(SlideSource source, SlideOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(source.IsDisposed, source);
        options ??= SlideOptions.Default;
        DecoderBackend backend;
        try
        {
            backend = ResolveBackend(options);
        }
        catch
        {
            if (!leaveOpen)
            {
                source.Dispose(); // ownership was handed over
            }

            throw;
        }

        return Open(source, !leaveOpen, options, backend);
    }

    private static Slide Open(SlideSource source, bool ownsSource, SlideOptions options, DecoderBackend backend)
    {
        SlideLayout? layout = null;
        try
        {
            var probe = new SlideProbe(source, options.Limits, options.Codecs);
            layout = options.Formats.Open(probe);
            var sources = new LevelSource[layout.Levels.Count];
            ITileSource baseImage = layout.Levels[0];
            for (int i = 0; i < sources.Length; i++)
            {
                ITileSource image = layout.Levels[i];
                TileDecoder decoder = Decoder(image.Source ?? source, image, options, backend, $"level {i} ({image.Name})");
                double downsample = i == 0 ? 1.0 : (((double)baseImage.Width / image.Width) + ((double)baseImage.Height / image.Height)) / 2.0;
                var info = new SlideLevel(i, image.Width, image.Height, downsample, decoder.Grid.TileWidth, decoder.Grid.TileHeight, decoder.Codec.Name);
                sources[i] = new LevelSource(info, decoder);
            }

            return new Slide(source, ownsSource, layout, sources, options, backend);
        }
        catch
        {
            if (layout is not null)
            {
                DisposeImageSources(layout, source);
            }

            if (ownsSource)
            {
                source.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Reads a region into <paramref name="destination"/> (rows packed, <paramref name="width"/> x
    /// <paramref name="height"/> pixels of <paramref name="format"/>). <paramref name="x"/>, <paramref name="y"/>
    /// are level-0 coordinates, as in OpenSlide; on other levels they map to floor(x / downsample).
    /// Pixels outside the level get <see cref="SlideOptions.Fill"/>.
    /// </summary>
    public void ReadRegion(long x, long y, int level, int width, int height, Span<byte> destination, PixelFormat format)
    {
        LevelSource source = CheckRegion(level, width, height, format, destination.Length);
        (long lx, long ly) = ToLevelPixels(source, x, y);
        try
        {
            RegionAssembler.Read(source, lx, ly, width, height, destination, format, new ReadContext(Cache, owner, Options.Fill));
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(Slide), $"{System.IO.Path.GetFileName(Path)} was disposed during a read");
        }
    }

    /// <summary>
    /// For slides in remote storage: fetches the tiles of every patch of a batch in one go (merged, concurrent
    /// requests) before the patches are read one by one; nothing for local slides.
    /// </summary>
    internal void Prefetch(ReadOnlySpan<PatchLocation> locations, int level, int width, int height)
    {
        if ((uint)level >= (uint)levels.Length || !levels[level].Decoder.WantsPrefetch || width <= 0 || height <= 0)
        {
            return;
        }

        LevelSource source = levels[level];
        var ranges = new List<Reader.Core.Sources.ByteRange>();
        foreach (PatchLocation at in locations)
        {
            (long lx, long ly) = ToLevelPixels(source, at.X, at.Y);
            Plan.RegionPlan plan = Plan.RegionPlan.Of(source.Decoder.Grid, lx, ly, width, height);
            if (!plan.IsEmpty)
            {
                source.Decoder.CollectRanges(in plan, ranges);
            }
        }

        source.Decoder.Prefetch(ranges);
    }

    /// <summary>Reads a region into a new array; see <see cref="ReadRegion(long, long, int, int, int, Span{byte}, PixelFormat)"/>.</summary>
    public byte[] ReadRegion(long x, long y, int level, int width, int height, PixelFormat format = PixelFormat.Rgb24)
    {
        CheckRegion(level, width, height, format, long.MaxValue);
        var buffer = new byte[checked(width * height * format.BytesPerPixel())];
        ReadRegion(x, y, level, width, height, buffer, format);
        return buffer;
    }

    /// <summary>
    /// Reads many <paramref name="width"/> x <paramref name="height"/> patches of <paramref name="level"/> in
    /// batches (N x H x W x C buffers) with several workers: the shape a training loader consumes. Batch
    /// order and contents depend only on the locations and the seed, never on the worker count. Consume it
    /// with <c>await foreach</c> (the primary form; <c>foreach</c> works too). Nothing is read until the
    /// first MoveNext, and each enumeration reads the list afresh.
    /// </summary>
    /// <param name="locations">Each patch's top-left corner in level-0 coordinates.</param>
    /// <param name="width">Patch width in pixels of <paramref name="level"/>.</param>
    /// <param name="height">Patch height in pixels of <paramref name="level"/>.</param>
    /// <param name="level">The pyramid level read.</param>
    /// <param name="options">Workers, batch size, prefetch, shuffle, format (<see cref="BatchOptions.Default"/> when null).</param>
    /// <param name="cancellationToken">
    /// Stops the workers of every enumeration and releases pending batches; the enumeration then throws
    /// <see cref="OperationCanceledException"/>. A token given to <c>GetAsyncEnumerator</c> (or
    /// <c>WithCancellation</c>) works too: either one cancels.
    /// </param>
    public PatchBatches ReadRegions(IReadOnlyList<PatchLocation> locations, int width, int height, int level = 0, BatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(locations);
        options ??= BatchOptions.Default;
        CheckRegion(level, width, height, options.Format, long.MaxValue);
        long batchBytes = (long)Math.Min(options.BatchSize, Math.Max(1, locations.Count)) * width * height * options.Format.BytesPerPixel();
        if (batchBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"a batch of {options.BatchSize} patches of {width}x{height} is {batchBytes} bytes, more than one buffer holds: use a smaller BatchSize");
        }

        var producer = new CpuPatchProducer(this, level, width, height, options.Format);
        return new PatchBatches(new BatchPipeline<PatchBatch>(producer, locations, level, options, cancellationToken));
    }

    /// <summary>The size of an associated image.</summary>
    public (long Width, long Height) GetAssociatedImageSize(string name)
    {
        ITileSource image = Associated(name);
        return (image.Width, image.Height);
    }

    /// <summary>Reads a whole associated image (thumbnail, label, macro).</summary>
    public byte[] ReadAssociatedImage(string name, PixelFormat format = PixelFormat.Rgb24)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ITileSource image = Associated(name);
        long pixels = image.Width * image.Height;
        if (pixels > Options.Limits.MaxRegionPixels)
        {
            throw new SlideLimitException(Path, $"associated image {name}", $"{image.Width}x{image.Height} exceeds the limit of {Options.Limits.MaxRegionPixels} pixels per read");
        }

        TileDecoder decoder = Decoder(image.Source ?? source, image, Options, Backend, $"associated image {name} ({image.Name})");
        var info = new SlideLevel(-1, image.Width, image.Height, 1, decoder.Grid.TileWidth, decoder.Grid.TileHeight, decoder.Codec.Name);
        var output = new byte[pixels * format.BytesPerPixel()];
        RegionAssembler.Read(new LevelSource(info, decoder), 0, 0, (int)image.Width, (int)image.Height, output, format, new ReadContext(null, owner, Options.Fill));
        return output;
    }

    /// <summary>The level to read for a wanted downsample, as OpenSlide chooses it: the largest downsample not above it.</summary>
    public int GetBestLevelForDownsample(double downsample)
    {
        for (int i = 1; i < Levels.Count; i++)
        {
            if (Levels[i].Downsample > downsample)
            {
                return i - 1;
            }
        }

        return Levels.Count - 1;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        DisposeImageSources(layout, source);
        if (ownsSource)
        {
            source.Dispose();
        }

        if (ownsCache)
        {
            Cache!.Dispose();
        }
        else
        {
            Cache?.RemoveOwner(owner);
        }
    }

    /// <summary>The level source behind <paramref name="level"/>, after the same checks as a region read (other readers of this slide, e.g. the GPU batch path).</summary>
    internal LevelSource CheckedLevel(int level, int width, int height, PixelFormat format) => CheckRegion(level, width, height, format, long.MaxValue);

    /// <summary>Level-0 (x, y) as the level pixel a region read starts at: floor(x / downsample).</summary>
    internal static (long X, long Y) ToLevelPixels(LevelSource level, long x, long y)
    {
        if (level.Info.Index == 0)
        {
            return (x, y);
        }

        double downsample = level.Info.Downsample;
        return ((long)Math.Floor(x / downsample), (long)Math.Floor(y / downsample));
    }

    private LevelSource CheckRegion(int level, int width, int height, PixelFormat format, long destinationLength)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if ((uint)level >= (uint)levels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, $"the slide has {levels.Length} levels");
        }

        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"region size {width}x{height} must be positive");
        }

        if (format is not (PixelFormat.Rgb24 or PixelFormat.Rgba32))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "unknown pixel format");
        }

        long pixels = (long)width * height;
        if (pixels > Options.Limits.MaxRegionPixels)
        {
            throw new SlideLimitException(Path, $"level {level}", $"region {width}x{height} exceeds the limit of {Options.Limits.MaxRegionPixels} pixels per read");
        }

        long needed = pixels * format.BytesPerPixel();
        if (destinationLength < needed)
        {
            throw new ArgumentException($"destination holds {destinationLength} bytes; a {width}x{height} {format} region needs {needed}", nameof(destinationLength));
        }

        return levels[level];
    }

    private bool IsDisposed => Volatile.Read(ref disposed) != 0 || source.IsDisposed;

    /// <summary>A decoder for one image: its codec from the registry, refused with the codec's reason when it cannot decode the encoding.</summary>
    private static TileDecoder Decoder(SlideSource source, ITileSource image, SlideOptions options, DecoderBackend backend, string name)
    {
        TileEncoding encoding = image.Encoding;
        if (image.Width <= 0 || image.Height <= 0)
        {
            throw new CorruptSlideException(source.Name, name, $"image size {image.Width}x{image.Height} is empty");
        }

        if (encoding.Validate(source.Name, name, image.Width, image.Height, options.Limits) is { } invalid)
        {
            throw invalid;
        }

        ITileCodec codec = options.Codecs.Find(encoding.Compression)
            ?? throw new UnsupportedFormatException(source.Name, name, $"compression {encoding.CompressionName} is not supported");
        if (codec.Refuse(encoding) is { } reason)
        {
            throw new UnsupportedFormatException(source.Name, name, reason);
        }

        return new TileDecoder(source, image, codec, backend == DecoderBackend.Native, name, options.Limits);
    }

    /// <summary>Disposes the sources images of a multi-file slide carry (<see cref="ITileSource.Source"/>), each once.</summary>
    private static void DisposeImageSources(SlideLayout layout, SlideSource slideSource)
    {
        foreach (ITileSource image in layout.Levels.Concat(layout.AssociatedImages.Values))
        {
            if (image.Source is { } own && !ReferenceEquals(own, slideSource))
            {
                own.Dispose(); // idempotent: a source shared by several images is disposed once
            }
        }
    }

    private static MicronsPerPixel? ReadMpp(IReadOnlyDictionary<string, string> properties) =>
        ReadDouble(properties, "openslide.mpp-x") is { } x && ReadDouble(properties, "openslide.mpp-y") is { } y ? new MicronsPerPixel(x, y) : null;

    private static double? ReadDouble(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.TryGetValue(key, out string? text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0
            ? value
            : null;

    private ITileSource Associated(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return layout.AssociatedImages.TryGetValue(name, out ITileSource? image)
            ? image
            : throw new ArgumentException($"no associated image '{name}' (the slide has: {string.Join(", ", AssociatedImageNames)})", nameof(name));
    }

    private static DecoderBackend ResolveBackend(SlideOptions options)
    {
        switch (options.Backend)
        {
            case DecoderBackend.Managed:
                return DecoderBackend.Managed;
            case DecoderBackend.Native:
                if (!NativeShim.IsAvailable)
                {
                    throw new DllNotFoundException("native decoders requested but unavailable: " + NativeShim.UnavailableReason);
                }

                return DecoderBackend.Native;
            default:
                if (NativeShim.IsAvailable)
                {
                    return DecoderBackend.Native;
                }

                if (Interlocked.Exchange(ref managedNoticeShown, 1) == 0)
                {
                    string message = "wsi reader: native decoders unavailable, using managed decoders (identical pixels, slower). " + NativeShim.UnavailableReason;
                    (options.Notice ?? (m => Console.Error.WriteLine(m)))(message);
                }

                return DecoderBackend.Managed;
        }
    }

    private static SortedDictionary<string, string> BuildProperties(SlideLayout layout, IReadOnlyList<SlideLevel> levels)
    {
        var p = new SortedDictionary<string, string>(layout.Properties, StringComparer.Ordinal)
        {
            ["openslide.vendor"] = layout.Vendor,
            ["openslide.level-count"] = levels.Count.ToString(CultureInfo.InvariantCulture),
        };
        foreach (SlideLevel l in levels)
        {
            string prefix = $"openslide.level[{l.Index}].";
            p[prefix + "width"] = l.Width.ToString(CultureInfo.InvariantCulture);
            p[prefix + "height"] = l.Height.ToString(CultureInfo.InvariantCulture);
            p[prefix + "downsample"] = TiffProperties.FormatDouble(l.Downsample);
            p[prefix + "tile-width"] = l.TileWidth.ToString(CultureInfo.InvariantCulture);
            p[prefix + "tile-height"] = l.TileHeight.ToString(CultureInfo.InvariantCulture);
        }

        foreach ((string name, ITileSource image) in layout.AssociatedImages)
        {
            p[$"openslide.associated.{name}.width"] = image.Width.ToString(CultureInfo.InvariantCulture);
            p[$"openslide.associated.{name}.height"] = image.Height.ToString(CultureInfo.InvariantCulture);
        }

        if (layout.IccProfile is { Length: > 0 } icc)
        {
            p["openslide.icc-size"] = icc.Length.ToString(CultureInfo.InvariantCulture);
        }

        return p;
    }
}
