using System.Buffers.Binary;
using System.Globalization;
using Reader.Core.Decode;
using Reader.Core.Open;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Ndpi;

/// <summary>
/// Hamamatsu NDPI, read as OpenSlide 4.0.1 reads it. Directory 0 has the NDPI tag (65420); the TIFF is parsed in
/// NDPI mode (64-bit offsets, see <see cref="TiffContainer"/>). Every directory is one JPEG strip; those with a
/// positive SourceLens at focal plane 0 are levels (largest first, or the slide is refused), the one with
/// SourceLens -1 is the macro image. A level's restart intervals are its tiles. Like OpenSlide, each level whose
/// tile divides evenly also yields levels decoded at 1/2, 1/4 and 1/8 (libjpeg's DCT scaling), and for each width
/// the level from the latest directory wins. Properties: tiff.* and mpp from directory 0's resolution, SourceLens
/// as objective power, the offsets, reference and the key=value property map as hamamatsu.*.
/// </summary>
internal sealed class NdpiFormat : ISlideFormat
{
    /// <summary>libjpeg's largest frame dimension.</summary>
    private const int JpegMaxDimension = 65500;

    public string Name => "hamamatsu-ndpi";

    public bool Detect(SlideProbe probe) => probe.Tiff is { } tiff && tiff.Directories[0].Has(TiffTag.NdpiFormatFlag);

    public SlideLayout Open(SlideProbe probe)
    {
        TiffContainer tiff = probe.Tiff!;
        SlideSource source = tiff.Source;
        var candidates = new List<(long Width, NdpiTileSource Level)>();
        var associated = new Dictionary<string, ITileSource>(StringComparer.Ordinal);
        long smallestWidth = long.MaxValue;
        TiffDirectory? smallestDirectory = null;
        foreach (TiffDirectory dir in tiff.Directories)
        {
            long width = (long)dir.GetRequiredInteger(TiffTag.ImageWidth, "ImageWidth");
            long height = (long)dir.GetRequiredInteger(TiffTag.ImageLength, "ImageLength");
            if (dir.CountOf(TiffTag.StripOffsets) != 1 || dir.CountOf(TiffTag.StripByteCounts) != 1)
            {
                throw new CorruptSlideException(tiff.Path, dir.Name, $"{dir.CountOf(TiffTag.StripOffsets)} strips; NDPI stores each image as one JPEG strip");
            }

            long start = (long)dir.GetRequiredInteger(TiffTag.StripOffsets, "StripOffsets");
            long length = (long)dir.GetRequiredInteger(TiffTag.StripByteCounts, "StripByteCounts");
            if (start <= 0 || length <= 0 || start > source.Length || length > source.Length - start)
            {
                throw new CorruptSlideException(tiff.Path, dir.Name, $"JPEG strip [{start}, {start + length}) lies outside the file ({source.Length} bytes)");
            }

            double lens = dir.GetDouble(TiffTag.NdpiSourceLens)
                ?? throw new CorruptSlideException(tiff.Path, dir.Name, "NDPI SourceLens tag (65421) is missing");
            if (lens > 0)
            {
                if (SignedInteger(dir, TiffTag.NdpiFocalPlane) is not { } focalPlane)
                {
                    throw new CorruptSlideException(tiff.Path, dir.Name, "NDPI focal plane tag (65424) is missing");
                }

                if (focalPlane != 0)
                {
                    continue;
                }

                NdpiTileSource level = OpenLevel(probe, dir, width, height, start, start + length);
                if (level.Width >= smallestWidth)
                {
                    throw new CorruptSlideException(tiff.Path, dir.Name, "NDPI levels are not stored largest first (OpenSlide refuses such a layout too)");
                }

                smallestWidth = level.Width;
                smallestDirectory = dir;
                AddWithScaledLevels(candidates, level);
            }
            else if (lens == -1)
            {
                associated["macro"] = OpenMacro(probe, dir, start, start + length);
            }
        }

        if (candidates.Count == 0 || smallestDirectory is null)
        {
            throw new UnsupportedFormatException(tiff.Path, null, "NDPI file without pyramid levels (no directory with a positive SourceLens at focal plane 0)");
        }

        // One level per width, the last candidate of that width winning (OpenSlide's hash table keyed by width).
        var byWidth = new Dictionary<long, NdpiTileSource>();
        foreach ((long width, NdpiTileSource level) in candidates)
        {
            byWidth[width] = level;
        }

        var layout = new SlideLayout
        {
            Vendor = "hamamatsu",
            Levels = [.. byWidth.OrderByDescending(p => p.Key).Select(p => p.Value)],
            IccProfile = tiff.Directories[0].GetBytes(TiffTag.IccProfile),
        };
        foreach ((string name, ITileSource image) in associated)
        {
            layout.AssociatedImages[name] = image;
        }

        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal);
        TiffProperties.AddTiffTags(properties, tiff.Directories[0]);
        TiffProperties.AddResolutionMpp(properties, tiff.Directories[0]);
        AddNdpiProperties(properties, tiff.Directories[0]);
        if (QuickHash.Compute(TiffImage.Describe(smallestDirectory), tiff.Directories[0], source.ContentIdentity) is { } hash)
        {
            properties["openslide.quickhash-1"] = hash;
        }

        foreach ((string key, string value) in properties)
        {
            layout.Properties[key] = value;
        }

        return layout;
    }

    private static NdpiTileSource OpenLevel(SlideProbe probe, TiffDirectory dir, long width, long height, long start, long end)
    {
        string path = probe.Source.Name;
        NdpiJpegHeader header = NdpiJpegHeader.Read(probe.Source, start, end, probe.Limits, dir.Name);
        if (header.Components != 3)
        {
            throw new UnsupportedFormatException(path, dir.Name, $"NDPI JPEG with {header.Components} components; OpenSlide reads only 3");
        }

        bool sizeFitsJpeg = width <= JpegMaxDimension && height <= JpegMaxDimension;
        int restart = header.RestartInterval;
        if (sizeFitsJpeg && (width != header.Width || height != header.Height))
        {
            if (restart != 0)
            {
                throw new CorruptSlideException(path, dir.Name, $"JPEG is {header.Width}x{header.Height} but the directory says {width}x{height}");
            }

            // A level without restart markers: the JPEG's size wins (the tags disagree at high downsamples).
            width = header.Width;
            height = header.Height;
        }

        long tileWidth, tileHeight;
        if (restart == 0)
        {
            if (!sizeFitsJpeg)
            {
                throw new UnsupportedFormatException(path, dir.Name, $"a {width}x{height} JPEG without restart markers cannot be decoded");
            }

            tileWidth = width;
            tileHeight = height;
        }
        else
        {
            int mcuWidth = header.ScanComponents > 1 ? 8 * header.MaxH : 8;
            int mcuHeight = header.ScanComponents > 1 ? 8 * header.MaxV : 8;
            long mcusPerRow = (width + mcuWidth - 1) / mcuWidth;
            if (restart > mcusPerRow || mcusPerRow % restart != 0)
            {
                throw new CorruptSlideException(path, dir.Name, $"restart interval of {restart} MCUs does not divide the {mcusPerRow} MCUs of a row");
            }

            tileWidth = (long)mcuWidth * restart;
            tileHeight = mcuHeight;
        }

        if (tileWidth * tileHeight > probe.Limits.MaxTilePixels || tileWidth > JpegMaxDimension || tileHeight > JpegMaxDimension)
        {
            throw new SlideLimitException(path, dir.Name, $"a {tileWidth}x{tileHeight} restart interval exceeds the limit of {probe.Limits.MaxTilePixels} pixels per tile");
        }

        long across = width / tileWidth;
        long down = height / tileHeight;
        if (across * down > probe.Limits.MaxTilesPerLevel || across * down > int.MaxValue)
        {
            throw new SlideLimitException(path, dir.Name, $"{across * down} restart intervals exceed the limit of {probe.Limits.MaxTilesPerLevel} per image");
        }

        int count = (int)Math.Max(1, across * down);
        long firstStart = start + header.Bytes.Length;
        var intervals = new NdpiRestartIndex(probe.Source, dir.Name, firstStart, end, count, count > 1 ? RecordedStarts(dir, start, count) : null);
        var encoding = new TileEncoding
        {
            Compression = TileCompression.Jpeg,
            Photometric = header.Photometric,
            SamplesPerPixel = 3,
            TileWidth = (int)tileWidth,
            TileHeight = (int)tileHeight,
            JpegHeader = header.WithFrameSize((int)tileWidth, (int)tileHeight),
        };
        return new NdpiTileSource(dir.Name, width, height, across, down, encoding, intervals);
    }

    /// <summary>The level, then the levels libjpeg's DCT scaling derives from it where its tile divides evenly.</summary>
    private static void AddWithScaledLevels(List<(long Width, NdpiTileSource Level)> candidates, NdpiTileSource level)
    {
        candidates.Add((level.Width, level));
        TileEncoding e = level.Encoding;
        for (int scale = 2; scale <= 8; scale *= 2)
        {
            if (e.TileWidth % scale != 0 || e.TileHeight % scale != 0)
            {
                continue;
            }

            TileEncoding scaled = e with { TileWidth = e.TileWidth / scale, TileHeight = e.TileHeight / scale, JpegScale = scale };
            long across = level.Width / e.TileWidth;
            long down = level.Height / e.TileHeight;
            var derived = new NdpiTileSource($"{level.Name} at 1/{scale}", level.Width / scale, level.Height / scale, across, down, scaled, level.Intervals);
            candidates.Add((derived.Width, derived));
        }
    }

    /// <summary>McuStarts (65426, plus the high halves in 65432 for files over 4 GiB) as file offsets, or null when absent or miscounted.</summary>
    private static long[]? RecordedStarts(TiffDirectory dir, long start, int count)
    {
        if (dir.CountOf(TiffTag.NdpiMcuStarts) != (ulong)count)
        {
            return null;
        }

        ulong highCount = dir.CountOf(TiffTag.NdpiMcuStartsHigh);
        if (highCount != 0 && highCount != (ulong)count)
        {
            return null;
        }

        try
        {
            ulong[] low = dir.GetIntegers(TiffTag.NdpiMcuStarts, count)!;
            ulong[]? high = highCount == 0 ? null : dir.GetIntegers(TiffTag.NdpiMcuStartsHigh, count);
            var starts = new long[count];
            for (int i = 0; i < count; i++)
            {
                ulong relative = low[i] | ((high?[i] ?? 0) << 32);
                starts[i] = relative > long.MaxValue - (ulong)start ? -1 : start + (long)relative;
            }

            return starts;
        }
        catch (SlideException)
        {
            return null; // the starts are a hint; scanning finds the markers anyway
        }
    }

    private static SingleTileSource OpenMacro(SlideProbe probe, TiffDirectory dir, long start, long end)
    {
        NdpiJpegHeader header = NdpiJpegHeader.Read(probe.Source, start, end, probe.Limits, dir.Name);
        if (header.Components is not (1 or 3) || header.Width == 0 || header.Height == 0)
        {
            throw new UnsupportedFormatException(probe.Source.Name, dir.Name, $"NDPI macro image: a {header.Width}x{header.Height} JPEG with {header.Components} components is not supported");
        }

        var encoding = new TileEncoding
        {
            Compression = TileCompression.Jpeg,
            Photometric = header.Components == 1 ? TiffPhotometric.MinIsBlack : header.Photometric,
            SamplesPerPixel = header.Components,
            TileWidth = header.Width,
            TileHeight = header.Height,
        };
        long length = end - start;
        if (length > int.MaxValue)
        {
            throw new SlideLimitException(probe.Source.Name, dir.Name, $"a {length}-byte macro JPEG is too large");
        }

        return new SingleTileSource(dir.Name + " (macro)", header.Width, header.Height, encoding, new ByteRange(start, (int)length));
    }

    private static void AddNdpiProperties(SortedDictionary<string, string> properties, TiffDirectory dir)
    {
        if (dir.GetDouble(TiffTag.NdpiSourceLens) is { } lens)
        {
            properties["hamamatsu.SourceLens"] = TiffProperties.FormatDouble(lens);
            properties["openslide.objective-power"] = TiffProperties.FormatDouble(lens);
        }

        if (SignedInteger(dir, TiffTag.NdpiXOffset) is { } x)
        {
            properties["hamamatsu.XOffsetFromSlideCentre"] = x.ToString(CultureInfo.InvariantCulture);
        }

        if (SignedInteger(dir, TiffTag.NdpiYOffset) is { } y)
        {
            properties["hamamatsu.YOffsetFromSlideCentre"] = y.ToString(CultureInfo.InvariantCulture);
        }

        if (dir.GetString(TiffTag.NdpiReference) is { } reference)
        {
            properties["hamamatsu.Reference"] = reference;
        }

        if (dir.GetString(TiffTag.NdpiPropertyMap) is { } map)
        {
            foreach (string record in map.Split("\r\n"))
            {
                int eq = record.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && eq < record.Length - 1)
                {
                    properties["hamamatsu." + record[..eq]] = record[(eq + 1)..];
                }
            }
        }
    }

    /// <summary>A signed integer tag (SLONG, SSHORT, SLONG8, or an unsigned type), or null when absent.</summary>
    private static long? SignedInteger(TiffDirectory dir, ushort tag)
    {
        if (!dir.Find(tag, out TiffEntry e) || e.Count == 0)
        {
            return null;
        }

        byte[] raw = dir.Container.ReadValueBytes(e, dir, 8, 1);
        bool big = dir.Container.IsBigEndian;
        return e.Type switch
        {
            TiffFieldType.SByte => (sbyte)raw[0],
            TiffFieldType.SShort => big ? BinaryPrimitives.ReadInt16BigEndian(raw) : BinaryPrimitives.ReadInt16LittleEndian(raw),
            TiffFieldType.SLong => big ? BinaryPrimitives.ReadInt32BigEndian(raw) : BinaryPrimitives.ReadInt32LittleEndian(raw),
            TiffFieldType.SLong8 => big ? BinaryPrimitives.ReadInt64BigEndian(raw) : BinaryPrimitives.ReadInt64LittleEndian(raw),
            _ when TiffFieldTypes.IsUnsignedInteger(e.Type) => (long)Math.Min(dir.GetInteger(tag, 0), long.MaxValue),
            _ => null,
        };
    }
}

/// <summary>An image stored as one complete tile at one byte range (NDPI's macro JPEG).</summary>
internal sealed class SingleTileSource(string name, long width, long height, TileEncoding encoding, ByteRange range) : ITileSource
{
    public string Name { get; } = name;

    public long Width { get; } = width;

    public long Height { get; } = height;

    public TileEncoding Encoding { get; } = encoding;

    public int GetTileRanges(long column, long row, Span<ByteRange> ranges)
    {
        ranges[0] = range;
        return 1;
    }
}
