namespace Reader.Core.Formats;

/// <summary>
/// The format drivers, consulted in order: those the application registered (in registration order), then
/// the built-in ones: DICOM, Hamamatsu NDPI, Aperio SVS, Philips TIFF, OME-TIFF, generic tiled TIFF.
/// Detection is by content, never by file name. Thread-safe; lookups take no lock.
/// </summary>
public sealed class SlideFormatRegistry
{
    private readonly Lock gate = new();
    private volatile ISlideFormat[] registered = [];

    /// <summary>The process-wide registry.</summary>
    public static SlideFormatRegistry Default { get; } = new();

    /// <summary>Every driver in detection order.</summary>
    public IReadOnlyList<ISlideFormat> Formats => [.. registered, .. SlideFormats.BuiltIn];

    /// <summary>Adds a driver, consulted after the ones registered before it and before the built-in ones.</summary>
    public void Register(ISlideFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (gate)
        {
            registered = [.. registered, format];
        }
    }

    /// <summary>The first driver that recognises the probed slide opens it.</summary>
    internal SlideLayout Open(SlideProbe probe)
    {
        foreach (ISlideFormat format in registered)
        {
            if (format.Detect(probe))
            {
                return Checked(format, format.Open(probe), probe);
            }
        }

        foreach (ISlideFormat format in SlideFormats.BuiltIn)
        {
            if (format.Detect(probe))
            {
                return Checked(format, format.Open(probe), probe);
            }
        }

        throw new UnsupportedFormatException(probe.Source.Name, null, "not a TIFF file (no TIFF or BigTIFF signature), and no registered format driver recognised it");
    }

    private static SlideLayout Checked(ISlideFormat format, SlideLayout? layout, SlideProbe probe)
    {
        if (layout?.Levels is not { Count: > 0 })
        {
            throw new UnsupportedFormatException(probe.Source.Name, null, $"format driver '{format.Name}' found no levels");
        }

        return layout;
    }
}
