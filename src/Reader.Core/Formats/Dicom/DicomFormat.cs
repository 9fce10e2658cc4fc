using System.Globalization;
using Reader.Core.Open;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// DICOM VL Whole Slide Microscopy Image series, laid out as OpenSlide 4.0.1 lays them out. The opened instance names
/// the series (its SeriesInstanceUID); every readable WSI instance of that series beside it in the same folder joins
/// it. ImageType value 3 decides each instance's part: VOLUME instances are levels (one per total pixel matrix size,
/// a concatenation's instances together, largest first), LABEL, OVERVIEW and THUMBNAIL the associated images label,
/// macro and thumbnail; other flavours are ignored. Transfer syntaxes: JPEG baseline, JPEG 2000 (both), explicit VR
/// little endian uncompressed; 8-bit RGB-like, one focal plane.
/// </summary>
internal sealed class DicomFormat : ISlideFormat
{
    public string Name => "dicom";

    /// <summary>Any Part 10 file; a DICOM-TIFF dual-personality file named .tif/.tiff is left to the TIFF drivers, as OpenSlide does.</summary>
    public bool Detect(SlideProbe probe)
    {
        if (!DicomInstance.HasSignature(probe.Header))
        {
            return false;
        }

        string name = probe.Source.Name;
        return !(TiffContainer.HasTiffSignature(probe.Header) && (name.EndsWith(".tif", StringComparison.Ordinal) || name.EndsWith(".tiff", StringComparison.Ordinal)));
    }

    public SlideLayout Open(SlideProbe probe)
    {
        DicomInstance start = DicomInstance.Read(probe.Source, ownsSource: false, probe.Limits);
        var series = new DicomSeries(probe.Limits);
        try
        {
            string seriesUid = start.SeriesUid!;
            series.Add(start);
            if (probe.Source.Siblings is { } siblings)
            {
                string own = Path.GetFileName(probe.Source.Name);
                foreach (string name in siblings.List())
                {
                    if (name != own && OpenSibling(siblings, name, probe.Limits) is { } sibling)
                    {
                        if (sibling.SeriesUid == seriesUid)
                        {
                            series.Add(sibling);
                        }
                        else
                        {
                            sibling.Dispose();
                        }
                    }
                }
            }

            return series.Build(seriesUid);
        }
        catch
        {
            series.Dispose();
            throw;
        }
    }

    /// <summary>The first file of <paramref name="folder"/> (by name) that is a DICOM whole-slide image instance, or null.</summary>
    public static string? FindInstance(string folder, SlideLimits limits)
    {
        foreach (string path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            try
            {
                if (new FileInfo(path).Length < 132)
                {
                    continue; // too short for a Part 10 file; pipes and devices (which would block an open) report 0
                }

                using SlideSource source = SlideSource.OpenFile(path);
                using DicomInstance instance = DicomInstance.Read(source, ownsSource: false, limits);
                return path;
            }
            catch (Exception e) when (e is SlideException or IOException or UnauthorizedAccessException)
            {
                // not a readable WSI instance: try the next file
            }
        }

        return null;
    }

    /// <summary>A sibling that is a readable DICOM WSI instance, or null (OpenSlide skips the files it cannot read as one).</summary>
    private static DicomInstance? OpenSibling(ISiblingResolver siblings, string name, SlideLimits limits)
    {
        SlideSource source;
        try
        {
            source = siblings.Open(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SlideException)
        {
            return null;
        }

        try
        {
            Span<byte> header = stackalloc byte[132];
            if (source.Read(0, header) != header.Length || !DicomInstance.HasSignature(header))
            {
                source.Dispose();
                return null;
            }

            return DicomInstance.Read(source, ownsSource: true, limits);
        }
        catch (SlideException)
        {
            return null; // Read disposed the source
        }
    }
}

/// <summary>The instances of one series sorted into levels and associated images (OpenSlide 4.0.1's rules and checks).</summary>
internal sealed class DicomSeries(SlideLimits limits) : IDisposable
{
    private readonly List<Level> levels = [];
    private readonly Dictionary<string, DicomInstance> associated = new(StringComparer.Ordinal);
    private readonly List<DicomInstance> ignored = [];

    /// <summary>Adds an instance of the series (taking ownership), or throws when OpenSlide would refuse the slide because of it.</summary>
    public void Add(DicomInstance f)
    {
        try
        {
            Place(f);
        }
        catch
        {
            if (!levels.Any(l => l.Files.Contains(f)) && !associated.ContainsValue(f) && !ignored.Contains(f))
            {
                f.Dispose();
            }

            throw;
        }
    }

    private void Place(DicomInstance f)
    {
        string flavor = f.Metadata.String(DicomTags.ImageType, 2)
            ?? Refuse<string>(f, corrupt: true, "ImageType has no third value (the image flavour VOLUME, LABEL, OVERVIEW or THUMBNAIL)");
        string? name = flavor switch
        {
            "LABEL" => "label",
            "OVERVIEW" => "macro",
            "THUMBNAIL" => "thumbnail",
            _ => null,
        };
        if (flavor != "VOLUME" && name is null)
        {
            ignored.Add(f); // unknown flavour, as OpenSlide ignores it
            return;
        }

        DicomPixelFormat format = f.Format ?? Refuse<DicomPixelFormat>(f, corrupt: false, $"transfer syntax {f.TransferSyntax} is not supported (JPEG baseline, JPEG 2000, explicit VR little endian are)");
        Require(f, DicomTags.PlanarConfiguration, "PlanarConfiguration", 0, required: true);
        Require(f, DicomTags.BitsAllocated, "BitsAllocated", 8, required: true);
        Require(f, DicomTags.BitsStored, "BitsStored", 8, required: true);
        Require(f, DicomTags.HighBit, "HighBit", 7, required: true);
        Require(f, DicomTags.SamplesPerPixel, "SamplesPerPixel", 3, required: true);
        Require(f, DicomTags.PixelRepresentation, "PixelRepresentation", 0, required: true);
        Require(f, DicomTags.TotalPixelMatrixFocalPlanes, "TotalPixelMatrixFocalPlanes", 1, required: false);
        string photometric = f.Metadata.String(DicomTags.PhotometricInterpretation)
            ?? Refuse<string>(f, corrupt: true, "PhotometricInterpretation not found");
        bool known = format switch
        {
            DicomPixelFormat.Jpeg2000 => photometric is "YBR_ICT" or "YBR_RCT" or "RGB",
            DicomPixelFormat.Jpeg2000Lossless => photometric is "YBR_RCT" or "RGB",
            DicomPixelFormat.Jpeg => photometric is "YBR_FULL_422" or "RGB",
            _ => photometric == "RGB",
        };
        if (!known)
        {
            Refuse<bool>(f, corrupt: false, $"photometric interpretation {photometric} is not supported for transfer syntax {f.TransferSyntax}");
        }

        string instanceUid = f.InstanceUid ?? Refuse<string>(f, corrupt: true, "SOPInstanceUID not found");
        if (name is null)
        {
            AddLevel(f, instanceUid);
        }
        else
        {
            AddAssociated(f, name, instanceUid);
        }
    }

    /// <summary>The slide: levels largest first, associated images, properties from the largest level's first instance.</summary>
    public SlideLayout Build(string seriesUid)
    {
        if (levels.Count == 0)
        {
            throw new UnsupportedFormatException(First()?.Path, null, "no pyramid levels (ImageType VOLUME) in the series");
        }

        var sources = new List<(Level Level, DicomTileSource Tiles)>();
        foreach (Level level in levels)
        {
            for (int i = 0; i < level.Files.Count; i++)
            {
                if (level.Files[i] is null)
                {
                    throw new CorruptSlideException(level.Files.First(x => x is not null)!.Path, null, $"instance {i + 1} of {level.Files.Count} of the concatenation is missing");
                }
            }

            DicomInstance[] files = [.. level.Files.Select(x => x!)];
            if (files.Length > 1)
            {
                if (files[0].Metadata.Integer(DicomTags.InConcatenationTotalNumber) is { } total && total != files.Length)
                {
                    throw new CorruptSlideException(files[0].Path, null, $"concatenation {files[0].ConcatenationUid} has {total} instances, {files.Length} found");
                }
            }
            else if (files[0].ConcatenationUid is { } concatenation)
            {
                throw new CorruptSlideException(files[0].Path, null, $"only one instance of concatenation {concatenation} found");
            }

            bool sparse = files[0].Metadata.String(DicomTags.DimensionOrganizationType) != "TILED_FULL";
            var tiles = new DicomTileSource(files, fillMissing: sparse || files.Length > 1, associated: false, limits);
            sources.Add((level, tiles));
        }

        // Stable, by width: levels of equal width keep the order they were found in, as in OpenSlide.
        sources = [.. sources.OrderByDescending(s => s.Level.Width)];
        foreach ((_, DicomTileSource tiles) in sources)
        {
            tiles.Validate();
        }

        DicomInstance first = sources[0].Level.Files[0]!;
        var layout = new SlideLayout
        {
            Vendor = "dicom",
            Levels = [.. sources.Select(s => (ITileSource)s.Tiles)],
            IccProfile = first.IccProfile,
        };
        foreach ((string name, DicomInstance f) in associated)
        {
            layout.AssociatedImages[name] = new DicomTileSource([f], fillMissing: false, associated: true, limits);
            if (f.IccProfile is { Length: > 0 } icc)
            {
                layout.Properties[$"openslide.associated.{name}.icc-size"] = icc.Length.ToString(CultureInfo.InvariantCulture);
            }
        }

        DicomProperties.Add(layout.Properties, first);
        layout.Properties["openslide.quickhash-1"] = DicomProperties.QuickHash(seriesUid);
        foreach (DicomInstance f in ignored)
        {
            f.Dispose();
        }

        ignored.Clear();
        return layout;
    }

    /// <summary>Releases every instance held (after a failed open).</summary>
    public void Dispose()
    {
        foreach (DicomInstance? f in levels.SelectMany(l => l.Files).Concat(associated.Values).Concat(ignored))
        {
            f?.Dispose();
        }
    }

    private static T Refuse<T>(DicomInstance f, bool corrupt, string what) =>
        throw (corrupt ? new CorruptSlideException(f.Path, null, what) : new UnsupportedFormatException(f.Path, null, what));

    private static void Require(DicomInstance f, uint tag, string keyword, long expected, bool required)
    {
        long? value = f.Metadata.Integer(tag);
        if (value is null)
        {
            if (required)
            {
                throw new CorruptSlideException(f.Path, null, $"{keyword} not found (or not a binary integer)");
            }

            return;
        }

        if (value != expected)
        {
            throw new UnsupportedFormatException(f.Path, null, $"{keyword} is {value}; only {expected} is supported");
        }
    }

    private DicomInstance? First() => levels.SelectMany(l => l.Files).Concat(associated.Values).Concat(ignored).FirstOrDefault(f => f is not null);

    private void AddLevel(DicomInstance f, string instanceUid)
    {
        long width = f.Metadata.Integer(DicomTags.TotalPixelMatrixColumns) ?? -1, height = f.Metadata.Integer(DicomTags.TotalPixelMatrixRows) ?? -1;
        long tileWidth = f.Metadata.Integer(DicomTags.Columns) ?? -1, tileHeight = f.Metadata.Integer(DicomTags.Rows) ?? -1;
        if (width < 0 || height < 0 || tileWidth < 0 || tileHeight < 0)
        {
            Refuse<bool>(f, corrupt: true, "TotalPixelMatrixColumns, TotalPixelMatrixRows, Columns or Rows not found");
        }

        long number = f.Metadata.Integer(DicomTags.InConcatenationNumber) ?? 1;
        if (number is <= 0 or > ushort.MaxValue)
        {
            Refuse<bool>(f, corrupt: true, $"InConcatenationNumber {number} is out of range");
        }

        Level? level = levels.Find(l => l.Width == width && l.Height == height);
        if (level is not null)
        {
            if (level.Files.Any(p => p is not null && p.InstanceUid == instanceUid))
            {
                ignored.Add(f); // the same instance twice (a copied file)
                return;
            }

            DicomInstance previous = level.Files.First(p => p is not null)!;
            if (f.ConcatenationUid is null && previous.ConcatenationUid is null)
            {
                Refuse<bool>(f, corrupt: false, $"a second {width}x{height} level ({instanceUid} besides {previous.InstanceUid} in {previous})");
            }

            if (f.ConcatenationUid != previous.ConcatenationUid)
            {
                Refuse<bool>(f, corrupt: true, $"ConcatenationUID {f.ConcatenationUid ?? "<none>"} differs from {previous.ConcatenationUid ?? "<none>"} of {previous}, a level of the same size");
            }

            if (level.TileWidth != tileWidth || level.TileHeight != tileHeight)
            {
                Refuse<bool>(f, corrupt: true, $"tile size {tileWidth}x{tileHeight} differs from the level's {level.TileWidth}x{level.TileHeight}");
            }
        }
        else
        {
            level = new Level(width, height, tileWidth, tileHeight);
            levels.Add(level);
        }

        while (level.Files.Count < number)
        {
            level.Files.Add(null);
        }

        if (level.Files[(int)number - 1] is not null)
        {
            Refuse<bool>(f, corrupt: true, $"two instances with InConcatenationNumber {number}");
        }

        level.Files[(int)number - 1] = f;
    }

    private void AddAssociated(DicomInstance f, string name, string instanceUid)
    {
        if (f.ConcatenationUid is not null)
        {
            Refuse<bool>(f, corrupt: true, "an associated image in a concatenation");
        }

        if (f.Metadata.Integer(DicomTags.TotalPixelMatrixColumns) is null || f.Metadata.Integer(DicomTags.TotalPixelMatrixRows) is null)
        {
            Refuse<bool>(f, corrupt: true, "TotalPixelMatrixColumns or TotalPixelMatrixRows of the associated image not found");
        }

        if (associated.TryGetValue(name, out DicomInstance? previous))
        {
            if (previous.InstanceUid == instanceUid)
            {
                ignored.Add(f);
                return;
            }

            Refuse<bool>(f, corrupt: false, $"a second {name} image ({instanceUid} besides {previous.InstanceUid} in {previous})");
        }

        associated[name] = f;
    }

    private sealed class Level(long width, long height, long tileWidth, long tileHeight)
    {
        public long Width { get; } = width;

        public long Height { get; } = height;

        public long TileWidth { get; } = tileWidth;

        public long TileHeight { get; } = tileHeight;

        public List<DicomInstance?> Files { get; } = [];
    }
}
