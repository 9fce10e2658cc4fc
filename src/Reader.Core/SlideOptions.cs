namespace Reader.Core;

/// <summary>How a slide is opened and read. Immutable; share one instance freely.</summary>
public sealed record SlideOptions
{
    /// <summary>Which decoders to use (default: native when available).</summary>
    public DecoderBackend Backend { get; init; } = DecoderBackend.Auto;

    /// <summary>What pixels outside the level or in missing tiles become (default transparent black, as OpenSlide).</summary>
    public FillColor Fill { get; init; } = FillColor.Transparent;

    /// <summary>Resource limits (hostile-file protection).</summary>
    public SlideLimits Limits { get; init; } = SlideLimits.Default;

    /// <summary>
    /// Receives one-time notices, such as falling back to managed decoders. Default: standard error.
    /// Set to a no-op to silence them.
    /// </summary>
    public Action<string>? Notice { get; init; }

    /// <summary>The defaults.</summary>
    public static SlideOptions Default { get; } = new();
}
