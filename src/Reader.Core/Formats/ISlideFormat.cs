using Reader.Core.Decode;
using Reader.Core.Open;
using Reader.Core.Sources;

namespace Reader.Core.Formats;

/// <summary>
/// A format driver: recognises its slides by content and lays them out as levels of tiles. Register one in
/// <see cref="SlideFormatRegistry.Default"/> (or a registry of your own, through <see cref="SlideOptions.Formats"/>).
/// Throw <see cref="UnsupportedFormatException"/> or <see cref="CorruptSlideException"/> from
/// <see cref="Open"/>; never read more than the limits allow.
/// </summary>
public interface ISlideFormat
{
    /// <summary>The driver's name ("aperio").</summary>
    string Name { get; }

    /// <summary>True when this driver reads the probed slide. Look at <see cref="SlideProbe.Header"/> first: it costs nothing.</summary>
    bool Detect(SlideProbe probe);

    /// <summary>Reads the slide's structure.</summary>
    SlideLayout Open(SlideProbe probe);
}

/// <summary>What drivers look at to recognise a slide: its first bytes, its source, and what the reader parsed once for all of them.</summary>
public sealed class SlideProbe
{
    /// <summary>Bytes of the header read up front.</summary>
    public const int HeaderLength = 4096;

    private readonly byte[] header;
    private readonly Lazy<TiffContainer?> tiff;

    internal SlideProbe(SlideSource source, SlideLimits limits, TileCodecRegistry codecs)
    {
        Source = source;
        Limits = limits;
        Codecs = codecs;
        header = new byte[(int)Math.Min(HeaderLength, source.Length)];
        int n = source.Read(0, header);
        if (n != header.Length)
        {
            throw new CorruptSlideException(source.Name, "header", $"source ended after {n} of {header.Length} bytes");
        }

        // Parsed once for every TIFF-based driver; exceptions (a damaged TIFF) surface to the first one that asks.
        tiff = new Lazy<TiffContainer?>(
            () => TiffContainer.HasTiffSignature(header) ? TiffContainer.Read(source, limits) : null,
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The slide's bytes.</summary>
    public SlideSource Source { get; }

    /// <summary>The first <see cref="HeaderLength"/> bytes (fewer for a shorter source).</summary>
    public ReadOnlySpan<byte> Header => header;

    /// <summary>Resource limits every driver honours.</summary>
    public SlideLimits Limits { get; }

    /// <summary>The codecs tile encodings resolve against.</summary>
    public TileCodecRegistry Codecs { get; }

    /// <summary>The TIFF structure, parsed on first use; null when the source is not a TIFF.</summary>
    internal TiffContainer? Tiff => tiff.Value;
}
