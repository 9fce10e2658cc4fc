using System.Globalization;

namespace Reader.SlideWriter;

/// <summary>
/// Writes a deterministic synthetic pyramidal slide (see <see cref="SyntheticSlideSpec"/>).
/// Tiles are rendered and compressed in parallel a tile row at a time and streamed to disk,
/// so a study-size slide (92344 x 81017) needs only a row of tiles in memory.
/// </summary>
public static class SyntheticSlideWriter
{
    private const ushort NewSubfileType = 254;
    private const ushort ImageWidth = 256;
    private const ushort ImageLength = 257;
    private const ushort BitsPerSample = 258;
    private const ushort Compression = 259;
    private const ushort Photometric = 262;
    private const ushort ImageDescription = 270;
    private const ushort StripOffsets = 273;
    private const ushort SamplesPerPixel = 277;
    private const ushort RowsPerStrip = 278;
    private const ushort StripByteCounts = 279;
    private const ushort PlanarConfiguration = 284;
    private const ushort Software = 305;
    private const ushort Predictor = 317;
    private const ushort TileWidthTag = 322;
    private const ushort TileLength = 323;
    private const ushort TileOffsets = 324;
    private const ushort TileByteCounts = 325;
    private const ushort ExtraSamples = 338;
    private const ushort JpegTablesTag = 347;
    private const ushort YCbCrSubsampling = 530;

    /// <summary>Writes the slide to <paramref name="path"/> (replacing it).</summary>
    public static void Write(string path, SyntheticSlideSpec spec)
    {
        Validate(spec);
        int levels = LevelCount(spec);
        bool bigTiff = spec.BigTiff || EstimatedBytes(spec) > 3_500_000_000L;
        string temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        using (var tiff = new TiffBuilder(stream, bigTiff, spec.BigEndian))
        {
            var encoder = new TileEncoder(spec);
            byte[]? tables = encoder.JpegTables();
            var levelFields = new List<List<TiffField>>();
            for (int level = 0; level < levels; level++)
            {
                levelFields.Add(WriteLevel(tiff, spec, encoder, tables, level));
            }

            switch (spec.Vendor)
            {
                case SlideVendor.SubIfd:
                    tiff.AddDirectory(levelFields[0], levelFields.Skip(1).ToList());
                    break;
                case SlideVendor.Aperio:
                    tiff.AddDirectory(levelFields[0]);
                    if (spec.Compression is SlideCompression.Jpeg2000YCbCr or SlideCompression.Jpeg2000Rgb or SlideCompression.WebP)
                    {
                        // Aperio JPEG 2000 slides keep a JPEG thumbnail (readers decode it through libtiff, which has no 33003/33005 codec).
                        SyntheticSlideSpec thumbnail = spec with { Compression = SlideCompression.Jpeg, Color = SlideColor.Rgb, Subsampling = ChromaSubsampling.S420, Tables = JpegTablesPlacement.Shared, Quality = 90 };
                        var thumbnailEncoder = new TileEncoder(thumbnail);
                        tiff.AddDirectory(WriteThumbnail(tiff, thumbnail, thumbnailEncoder, thumbnailEncoder.JpegTables()));
                    }
                    else
                    {
                        tiff.AddDirectory(WriteThumbnail(tiff, spec, encoder, tables));
                    }

                    foreach (List<TiffField> f in levelFields.Skip(1))
                    {
                        tiff.AddDirectory(f);
                    }

                    break;
                default:
                    foreach (List<TiffField> f in levelFields)
                    {
                        tiff.AddDirectory(f);
                    }

                    break;
            }

            tiff.Finish();
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The JPEGTables value a slide of <paramref name="spec"/> carries (null when tiles hold their own tables).</summary>
    public static byte[]? JpegTablesFor(SyntheticSlideSpec spec) => new TileEncoder(spec).JpegTables();

    /// <summary>The IFD index of <paramref name="level"/> in the main chain (Aperio puts the thumbnail at IFD 1).</summary>
    public static int DirectoryOf(SyntheticSlideSpec spec, int level) => spec.Vendor == SlideVendor.Aperio && level > 0 ? level + 1 : level;

    /// <summary>Levels actually written: as asked, but never below one pixel.</summary>
    public static int LevelCount(SyntheticSlideSpec spec)
    {
        int levels = 1;
        while (levels < spec.Levels && (spec.Width >> levels) >= 1 && (spec.Height >> levels) >= 1)
        {
            levels++;
        }

        return levels;
    }

    private static void Validate(SyntheticSlideSpec spec)
    {
        if (spec.Width <= 0 || spec.Height <= 0 || spec.TileWidth <= 0 || spec.TileHeight <= 0)
        {
            throw new ArgumentException("sizes must be positive");
        }

        if (spec.TileWidth % 16 != 0 || spec.TileHeight % 16 != 0)
        {
            throw new ArgumentException("tile sizes must be multiples of 16 (TIFF requires it)");
        }

        bool jpeg = spec.Compression == SlideCompression.Jpeg;
        if (jpeg && (spec.Color == SlideColor.Rgba || spec.Planar))
        {
            throw new ArgumentException("JPEG slides are RGB, RGB-coded or grey, chunky");
        }

        bool jpeg2000 = spec.Compression is SlideCompression.Jpeg2000YCbCr or SlideCompression.Jpeg2000Rgb;
        if (jpeg2000 && (spec.Color != SlideColor.Rgb || spec.Planar))
        {
            throw new ArgumentException("JPEG 2000 slides are RGB, chunky");
        }

        if (spec.Compression == SlideCompression.WebP && (spec.Color is not (SlideColor.Rgb or SlideColor.Rgba) || spec.Planar))
        {
            throw new ArgumentException("WebP slides are RGB or RGBA, chunky");
        }
    }

    private static long EstimatedBytes(SyntheticSlideSpec spec)
    {
        double pixels = (double)spec.Width * spec.Height * 4 / 3;
        double bytesPerPixel = spec.Compression switch
        {
            SlideCompression.Jpeg => spec.Quality >= 90 ? 0.6 : 0.3,
            SlideCompression.None => spec.SamplesPerPixel,
            _ => spec.SamplesPerPixel * 0.8,
        };
        return (long)(pixels * bytesPerPixel);
    }

    private static List<TiffField> WriteLevel(TiffBuilder tiff, SyntheticSlideSpec spec, TileEncoder encoder, byte[]? tables, int level)
    {
        (long width, long height) = spec.LevelSize(level);
        int tw = spec.TileWidth, th = spec.TileHeight;
        long across = (width + tw - 1) / tw, down = (height + th - 1) / th;
        int spp = spec.SamplesPerPixel;
        bool planar = spec.Planar && spp > 1;
        int planes = planar ? spp : 1;
        long tilesPerPlane = across * down;
        var offsets = new ulong[tilesPerPlane * planes];
        var counts = new ulong[tilesPerPlane * planes];

        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, spec.Threads) };
        for (long ty = 0; ty < down; ty++)
        {
            var encoded = new byte[across * planes][];
            long row = ty;
            Parallel.For(0, (int)across, options, tx =>
            {
                var samples = new byte[tw * th * spp];
                SyntheticContent.RenderSamples(spec, level, tx * (long)tw, row * th, tw, th, samples, tw * spp);
                if (!planar)
                {
                    encoded[tx] = encoder.Encode(samples, tw, th, spp);
                    return;
                }

                var plane = new byte[tw * th];
                for (int s = 0; s < spp; s++)
                {
                    for (int i = 0; i < plane.Length; i++)
                    {
                        plane[i] = samples[(i * spp) + s];
                    }

                    encoded[(s * across) + tx] = encoder.Encode(plane, tw, th, 1);
                }
            });

            for (int s = 0; s < planes; s++)
            {
                for (long tx = 0; tx < across; tx++)
                {
                    byte[] data = encoded[(s * across) + tx];
                    long index = (s * tilesPerPlane) + (ty * across) + tx;
                    offsets[index] = (ulong)tiff.WriteData(data);
                    counts[index] = (ulong)data.Length;
                }
            }
        }

        var fields = ImageFields(spec, width, height, planar, tables);
        fields.Add(TiffField.Shorts(TileWidthTag, (ulong)tw));
        fields.Add(TiffField.Shorts(TileLength, (ulong)th));
        fields.Add(TiffField.Offsets(TileOffsets, tiff.BigTiff, offsets));
        fields.Add(TiffField.Offsets(TileByteCounts, tiff.BigTiff, counts));
        if (level == 0)
        {
            fields.Add(TiffField.Ascii(Software, "Reader.SlideWriter (synthetic test slide)"));
            if (spec.Vendor == SlideVendor.Aperio)
            {
                string q = spec.Compression == SlideCompression.Jpeg ? $"JPEG/RGB Q={spec.Quality}" : spec.Compression.ToString();
                fields.Add(TiffField.Ascii(ImageDescription, string.Create(
                    CultureInfo.InvariantCulture,
                    $"Aperio Image Library v12.0.0 \r\n{spec.Width}x{spec.Height} ({tw}x{th}) {q}|AppMag = 20|MPP = 0.4990|ScanScope ID = SYNTHETIC|Filename = synthetic-{spec.Seed}")));
            }
            else
            {
                fields.Add(TiffField.Ascii(ImageDescription, $"synthetic H&E-like slide, seed {spec.Seed}"));
            }
        }
        else if (spec.Vendor == SlideVendor.Generic || spec.Vendor == SlideVendor.SubIfd)
        {
            fields.Add(TiffField.Longs(NewSubfileType, 1));
        }
        else
        {
            fields.Add(TiffField.Ascii(ImageDescription, $"Aperio Image Library v12.0.0 \r\n{spec.Width}x{spec.Height} -> {width}x{height}"));
        }

        return fields;
    }

    private static List<TiffField> ImageFields(SyntheticSlideSpec spec, long width, long height, bool planar, byte[]? tables)
    {
        int spp = spec.SamplesPerPixel;
        bool jpeg = spec.Compression == SlideCompression.Jpeg;
        int photometric = spec.Color switch
        {
            SlideColor.Gray => 1,
            SlideColor.Rgb when jpeg => 6,
            SlideColor.Rgb when spec.Compression == SlideCompression.Jpeg2000YCbCr => 6,
            _ => 2,
        };
        int compression = spec.Compression switch
        {
            SlideCompression.Jpeg => 7,
            SlideCompression.Deflate => 8,
            SlideCompression.Lzw => 5,
            SlideCompression.Zstd => 50000,
            SlideCompression.PackBits => 32773,
            SlideCompression.Jpeg2000YCbCr => 33003,
            SlideCompression.Jpeg2000Rgb => 33005,
            SlideCompression.WebP => 50001,
            _ => 1,
        };
        var fields = new List<TiffField>
        {
            TiffField.Longs(ImageWidth, (ulong)width),
            TiffField.Longs(ImageLength, (ulong)height),
            TiffField.Shorts(BitsPerSample, Enumerable.Repeat(8UL, spp).ToArray()),
            TiffField.Shorts(Compression, (ulong)compression),
            TiffField.Shorts(Photometric, (ulong)photometric),
            TiffField.Shorts(SamplesPerPixel, (ulong)spp),
            TiffField.Shorts(PlanarConfiguration, planar ? 2UL : 1UL),
        };
        if (spec.Color == SlideColor.Rgba)
        {
            fields.Add(TiffField.Shorts(ExtraSamples, 2));
        }

        if (spec.Predictor && spec.Compression is SlideCompression.Deflate or SlideCompression.Lzw or SlideCompression.Zstd)
        {
            fields.Add(TiffField.Shorts(Predictor, 2));
        }

        if (tables is not null)
        {
            fields.Add(TiffField.Undefined(JpegTablesTag, tables));
        }

        if (photometric == 6)
        {
            (ulong h, ulong v) = spec.Subsampling switch
            {
                ChromaSubsampling.S420 => (2UL, 2UL),
                ChromaSubsampling.S422 => (2UL, 1UL),
                ChromaSubsampling.S440 => (1UL, 2UL),
                _ => (1UL, 1UL),
            };
            fields.Add(TiffField.Shorts(YCbCrSubsampling, h, v));
        }
        else if (spec.Color == SlideColor.RgbCodedJpeg)
        {
            fields.Add(TiffField.Shorts(YCbCrSubsampling, 2, 2)); // misleading, as Aperio writes it
        }

        return fields;
    }

    /// <summary>An Aperio-style stripped thumbnail (IFD 1), at most 1024 pixels wide.</summary>
    private static List<TiffField> WriteThumbnail(TiffBuilder tiff, SyntheticSlideSpec spec, TileEncoder encoder, byte[]? tables)
    {
        int level = 0;
        while ((spec.Width >> level) > 1024 && level < 30)
        {
            level++;
        }

        (long width, long height) = spec.LevelSize(level);
        int rowsPerStrip = 16;
        int spp = spec.SamplesPerPixel;
        long strips = (height + rowsPerStrip - 1) / rowsPerStrip;
        var offsets = new ulong[strips];
        var counts = new ulong[strips];
        for (long s = 0; s < strips; s++)
        {
            int rows = (int)Math.Min(rowsPerStrip, height - (s * rowsPerStrip));
            var samples = new byte[(int)width * rows * spp];
            SyntheticContent.RenderSamples(spec, level, 0, s * rowsPerStrip, (int)width, rows, samples, (int)width * spp);
            byte[] data = encoder.Encode(samples, (int)width, rows, spp);
            offsets[s] = (ulong)tiff.WriteData(data);
            counts[s] = (ulong)data.Length;
        }

        var fields = ImageFields(spec with { Planar = false }, width, height, false, tables);
        fields.Add(TiffField.Longs(RowsPerStrip, (ulong)rowsPerStrip));
        fields.Add(TiffField.Offsets(StripOffsets, tiff.BigTiff, offsets));
        fields.Add(TiffField.Offsets(StripByteCounts, tiff.BigTiff, counts));
        fields.Add(TiffField.Ascii(ImageDescription, $"Aperio Image Library v12.0.0 \r\n{spec.Width}x{spec.Height} -> {width}x{height} - thumbnail"));
        return fields;
    }
}
