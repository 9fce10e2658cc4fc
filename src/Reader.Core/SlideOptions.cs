using Reader.Core.Decode;
using Reader.Core.Formats;

namespace Reader.Core;

/// <summary>How a slide is opened and read. Immutable; share one instance freely.</summary>
public sealed record SlideOptions
{
    /// <summary>Which decoders to use (default: native when available).</summary>
    public DecoderBackend Backend { get; init; } = DecoderBackend.Auto;

    /// <summary>What pixels outside the level or in missing tiles become (default transparent black, as OpenSlide).</summary>
    public FillColor Fill { get; init; } = FillColor.Transparent;

    /// <summary>
    /// Bytes of decoded tiles the slide keeps (default 256 MiB; 0 disables caching). Ignored when
    /// <see cref="Cache"/> is set. Unaligned reads need it: every tile serves up to four patches.
    /// </summary>
    public long CacheCapacity { get; init; } = Reader.Core.Cache.TileCache.DefaultCapacity;

    /// <summary>A cache to share with other slides (the caller disposes it). Null: the slide owns a cache of <see cref="CacheCapacity"/>.</summary>
    public Reader.Core.Cache.TileCache? Cache { get; init; }

    /// <summary>Resource limits (hostile-file protection).</summary>
    public SlideLimits Limits { get; init; } = SlideLimits.Default;

    /// <summary>The format drivers to detect the slide with (default: <see cref="SlideFormatRegistry.Default"/>).</summary>
    public SlideFormatRegistry Formats { get; init; } = SlideFormatRegistry.Default;

    /// <summary>The codecs tile encodings resolve against (default: <see cref="TileCodecRegistry.Default"/>).</summary>
    public TileCodecRegistry Codecs { get; init; } = TileCodecRegistry.Default;

    /// <summary>
    /// Receives one-time notices, such as falling back to managed decoders. Default: standard error.
    /// Set to a no-op to silence them.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>The defaults.</summary>
    public static SlideOptions Default { get; } = new();

    /// <summary>How slides opened by address (http://, s3://, az://) are read: block cache, read-ahead, retries.</summary>
    public Sources.Remote.RemoteOptions Remote { get; init; } = Sources.Remote.RemoteOptions.Default;
}
