using System.Collections.Frozen;
using Reader.Core.Open;

namespace Reader.Core.Decode;

/// <summary>
/// The codecs by compression code (TIFF numbering). <see cref="Default"/> holds the built-in ones (JPEG,
/// deflate, LZW, zstd, PackBits, none, Aperio JPEG 2000, WebP) and whatever the application registers; a slide opened with
/// <see cref="SlideOptions.Codecs"/> set uses that registry instead. Thread-safe; lookups take no lock.
/// </summary>
public sealed class TileCodecRegistry
{
    private readonly Lock gate = new();
    private volatile FrozenDictionary<int, ITileCodec> codecs;

    /// <summary>An empty registry, or a copy of <paramref name="from"/>.</summary>
    public TileCodecRegistry(TileCodecRegistry? from = null)
    {
        codecs = from?.codecs ?? FrozenDictionary<int, ITileCodec>.Empty;
    }

    /// <summary>The process-wide registry, with the built-in codecs.</summary>
    public static TileCodecRegistry Default { get; } = BuiltIn();

    /// <summary>The codec registered for <paramref name="compression"/>, or null.</summary>
    public ITileCodec? Find(int compression) => codecs.GetValueOrDefault(compression);

    /// <summary>Registers (or replaces) the codec of <paramref name="compression"/>.</summary>
    public void Register(int compression, ITileCodec codec)
    {
        ArgumentNullException.ThrowIfNull(codec);
        lock (gate)
        {
            var copy = new Dictionary<int, ITileCodec>(codecs) { [compression] = codec };
            codecs = copy.ToFrozenDictionary();
        }
    }

    private static TileCodecRegistry BuiltIn()
    {
        var r = new TileCodecRegistry();
        r.Register(TiffCompression.None, RawCodec.Instance);
        r.Register(TiffCompression.Lzw, LzwCodec.Instance);
        r.Register(TiffCompression.Jpeg, JpegCodec.Instance);
        r.Register(TiffCompression.AdobeDeflate, new DeflateCodec(TiffCompression.NameOf(TiffCompression.AdobeDeflate)));
        r.Register(TiffCompression.Deflate, new DeflateCodec(TiffCompression.NameOf(TiffCompression.Deflate)));
        r.Register(TiffCompression.Zstd, ZstdCodec.Instance);
        r.Register(TiffCompression.ZstdLegacy, ZstdCodec.Instance);
        r.Register(TiffCompression.PackBits, PackBitsCodec.Instance);
        r.Register(TiffCompression.AperioJp2kYCbCr, Jpeg2000Codec.YCbCr);
        r.Register(TiffCompression.AperioJp2kRgb, Jpeg2000Codec.Rgb);
        r.Register(TiffCompression.WebP, WebpCodec.Instance);
        return r;
    }
}
