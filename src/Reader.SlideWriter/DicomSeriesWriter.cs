using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Reader.SlideWriter;

/// <summary>How the frames of a generated DICOM series are coded (the transfer syntaxes OpenSlide 4.0.1 reads).</summary>
public enum DicomFrameCoding
{
    /// <summary>JPEG baseline (1.2.840.10008.1.2.4.50), YCbCr 4:2:2, PhotometricInterpretation YBR_FULL_422.</summary>
    Jpeg,

    /// <summary>JPEG baseline coded as RGB (no colour transform), PhotometricInterpretation RGB.</summary>
    JpegRgb,

    /// <summary>JPEG 2000 (1.2.840.10008.1.2.4.91) with the irreversible colour transform, YBR_ICT.</summary>
    Jpeg2000,

    /// <summary>Explicit VR little endian (1.2.840.10008.1.2.1), native RGB frames.</summary>
    Uncompressed,
}

/// <summary>Which offset table locates the encapsulated frames.</summary>
public enum DicomOffsetTable
{
    /// <summary>Empty Basic Offset Table, no Extended Offset Table: a reader walks the fragments.</summary>
    None,

    /// <summary>A Basic Offset Table.</summary>
    Basic,

    /// <summary>An Extended Offset Table (and its lengths), with an empty Basic Offset Table.</summary>
    Extended,
}

/// <summary>A generated DICOM VL Whole Slide Microscopy Image series: one instance per level, optional associated images.</summary>
public sealed record DicomSeriesSpec
{
    public long Width { get; init; } = 1000;

    public long Height { get; init; } = 700;

    public int TileWidth { get; init; } = 256;

    public int TileHeight { get; init; } = 256;

    /// <summary>Pyramid levels, each half the size of the one before.</summary>
    public int Levels { get; init; } = 3;

    public DicomFrameCoding Coding { get; init; } = DicomFrameCoding.Jpeg;

    public DicomOffsetTable OffsetTable { get; init; } = DicomOffsetTable.Basic;

    /// <summary>TILED_SPARSE: frames placed by per-frame plane positions (written in reverse tile order).</summary>
    public bool Sparse { get; init; }

    /// <summary>With <see cref="Sparse"/>: every tile whose (column + row) is one less than a multiple of this has no frame (0: none missing; tile (0, 0) always has one).</summary>
    public int MissingEvery { get; init; }

    /// <summary>Fragments per encapsulated frame (2 splits each frame; needs an offset table when an instance has several frames).</summary>
    public int FragmentsPerFrame { get; init; } = 1;

    /// <summary>Write label, overview and thumbnail instances.</summary>
    public bool Associated { get; init; } = true;

    /// <summary>Put an ICC profile in the optical path of every instance.</summary>
    public bool IccProfile { get; init; } = true;

    /// <summary>Split level 0 into a concatenation of two instances (level_0.dcm with the first half of the frames, level_0b.dcm with the rest).</summary>
    public bool ConcatenateLevel0 { get; init; }

    /// <summary>Cut this many bytes off the end of the level 0 file (a truncated instance).</summary>
    public int TruncateLevel0 { get; init; }

    /// <summary>Millimetres per pixel of level 0 (PixelSpacing).</summary>
    public double PixelSpacing { get; init; } = 0.00025;

    public int Quality { get; init; } = 90;

    public int Seed { get; init; } = 1;

    public (long Width, long Height) LevelSize(int level) => (Math.Max(1, Width >> level), Math.Max(1, Height >> level));
}

/// <summary>
/// Writes DICOM Part 10 files of a whole-slide series (PS3.10 file format, PS3.5 explicit VR little endian encoding,
/// PS3.3 VL Whole Slide Microscopy Image IOD, the attributes a reader needs): TILED_FULL or TILED_SPARSE, JPEG,
/// JPEG 2000 or uncompressed frames, with a Basic, Extended or no offset table. Pixels come from
/// <see cref="SyntheticContent"/>, so a test can recompute them.
/// </summary>
public static class DicomSeriesWriter
{
    public const string WholeSlideImageStorage = "1.2.840.10008.5.1.4.1.1.77.1.6";

    /// <summary>Writes the series into <paramref name="folder"/> (level_0.dcm, level_1.dcm, ..., label.dcm, overview.dcm, thumbnail.dcm); returns the paths, level 0 first.</summary>
    public static IReadOnlyList<string> Write(string folder, DicomSeriesSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        string series = Uid(spec.Seed, 1);
        for (int level = 0; level < spec.Levels; level++)
        {
            (long w, long h) = spec.LevelSize(level);
            int parts = level == 0 && spec.ConcatenateLevel0 ? 2 : 0;
            for (int part = parts == 0 ? 0 : 1; part <= parts; part++)
            {
                byte[] file = Instance(spec, series, level, "VOLUME", w, h, spec.TileWidth, spec.TileHeight, spec.Sparse, spec.Seed, level, part);
                if (level == 0 && part <= 1 && spec.TruncateLevel0 > 0)
                {
                    file = file[..Math.Max(0, file.Length - spec.TruncateLevel0)];
                }

                string path = Path.Combine(folder, $"level_{level}{(part == 2 ? "b" : string.Empty)}.dcm");
                File.WriteAllBytes(path, file);
                paths.Add(path);
            }
        }

        if (spec.Associated)
        {
            (string Name, string Flavor, int W, int H)[] associated = [("label", "LABEL", 120, 100), ("overview", "OVERVIEW", 300, 120), ("thumbnail", "THUMBNAIL", 160, 112)];
            for (int i = 0; i < associated.Length; i++)
            {
                (string name, string flavor, int w, int h) = associated[i];
                byte[] file = Instance(spec with { Sparse = false, FragmentsPerFrame = 1 }, series, 10 + i, flavor, w, h, w, h, sparse: false, AssociatedSeed(spec, i), 0);
                string path = Path.Combine(folder, name + ".dcm");
                File.WriteAllBytes(path, file);
                paths.Add(path);
            }
        }

        return paths;
    }

    /// <summary>The content seed of associated image <paramref name="index"/> (0 label, 1 overview, 2 thumbnail), rendered as level 0 of <see cref="SyntheticContent"/>.</summary>
    public static int AssociatedSeed(DicomSeriesSpec spec, int index) => (spec.Seed * 31) + index + 1;

    /// <summary>The transfer syntax UID of a coding.</summary>
    public static string TransferSyntax(DicomFrameCoding coding) => coding switch
    {
        DicomFrameCoding.Jpeg or DicomFrameCoding.JpegRgb => "1.2.840.10008.1.2.4.50",
        DicomFrameCoding.Jpeg2000 => "1.2.840.10008.1.2.4.91",
        _ => "1.2.840.10008.1.2.1",
    };

    /// <summary>The series instance UID the writer gives a seed.</summary>
    public static string SeriesUid(int seed) => Uid(seed, 1);

    /// <summary>A minimal ICC profile header (RGB display profile, no tags): enough for readers that report its size and colour space.</summary>
    public static byte[] IccProfileBytes()
    {
        var icc = new byte[132];
        BinaryPrimitives.WriteUInt32BigEndian(icc, (uint)icc.Length);
        "mntr"u8.CopyTo(icc.AsSpan(12));
        "RGB "u8.CopyTo(icc.AsSpan(16));
        "XYZ "u8.CopyTo(icc.AsSpan(20));
        "acsp"u8.CopyTo(icc.AsSpan(36));
        icc[8] = 2;
        icc[9] = 0x10;
        return icc;
    }

    private static string Uid(int seed, int part) => $"2.25.{(uint)seed}{part:D3}{(uint)seed * 7919u % 100000u}";

    // part 0: a whole instance; 1 or 2: that half of the frames, as a member of a concatenation of two.
    private static byte[] Instance(DicomSeriesSpec spec, string series, int index, string flavor, long width, long height, int tileWidth, int tileHeight, bool sparse, int contentSeed, int contentLevel, int part = 0)
    {
        string syntax = TransferSyntax(spec.Coding);
        string instanceUid = Uid(spec.Seed, 100 + (index * 10) + part);
        long across = (width + tileWidth - 1) / tileWidth, down = (height + tileHeight - 1) / tileHeight;
        var tiles = new List<(long Column, long Row)>();
        for (long row = 0; row < down; row++)
        {
            for (long column = 0; column < across; column++)
            {
                if (!sparse || spec.MissingEvery <= 0 || (column + row) % spec.MissingEvery != spec.MissingEvery - 1)
                {
                    tiles.Add((column, row));
                }
            }
        }

        if (sparse)
        {
            tiles.Reverse(); // positions, not order, place the frames
        }

        int frameOffset = 0;
        if (part > 0)
        {
            int half = tiles.Count / 2;
            frameOffset = part == 1 ? 0 : half;
            tiles = part == 1 ? tiles[..half] : tiles[half..];
        }

        var frames = new List<byte[]>(tiles.Count);
        var encoder = new TileEncoder(new SyntheticSlideSpec
        {
            Compression = spec.Coding switch
            {
                DicomFrameCoding.Jpeg or DicomFrameCoding.JpegRgb => SlideCompression.Jpeg,
                DicomFrameCoding.Jpeg2000 => SlideCompression.Jpeg2000Rgb,
                _ => SlideCompression.None,
            },
            Color = spec.Coding == DicomFrameCoding.JpegRgb ? SlideColor.RgbCodedJpeg : SlideColor.Rgb,
            Subsampling = ChromaSubsampling.S422,
            Tables = JpegTablesPlacement.InTile,
            Quality = spec.Quality,
            TileWidth = tileWidth,
            TileHeight = tileHeight,
            Seed = spec.Seed,
        });
        var samples = new byte[tileWidth * tileHeight * 3];
        foreach ((long column, long row) in tiles)
        {
            SyntheticContent.RenderRgb(contentSeed, contentLevel, column * tileWidth, row * tileHeight, tileWidth, tileHeight, samples, tileWidth * 3);
            frames.Add(encoder.Encode((byte[])samples.Clone(), tileWidth, tileHeight, 3));
        }

        var meta = new DicomElements();
        meta.Bytes(0x00020001, "OB", [0, 1]);
        meta.String(0x00020002, "UI", WholeSlideImageStorage);
        meta.String(0x00020003, "UI", instanceUid);
        meta.String(0x00020010, "UI", syntax);
        meta.String(0x00020012, "UI", "2.25.4242");
        meta.String(0x00020013, "SH", "WSI-TESTS");

        var d = new DicomElements();
        d.String(0x00080008, "CS", $"DERIVED\\PRIMARY\\{flavor}\\NONE");
        d.String(0x00080016, "UI", WholeSlideImageStorage);
        d.String(0x00080018, "UI", instanceUid);
        d.String(0x00080060, "CS", "SM");
        d.String(0x00080070, "LO", "wsi-reader tests");
        d.String(0x00100010, "PN", string.Empty);
        d.String(0x00180050, "DS", "0");
        d.String(0x0020000D, "UI", Uid(spec.Seed, 2));
        d.String(0x0020000E, "UI", series);
        d.String(0x00200013, "IS", (index + 1).ToString(CultureInfo.InvariantCulture));
        if (part > 0)
        {
            d.String(0x00209161, "UI", Uid(spec.Seed, 900 + index));
            d.UInt16(0x00209162, (ushort)part);
            d.UInt16(0x00209163, 2);
            d.UInt32(0x00209228, (uint)frameOffset);
        }

        d.String(0x00209311, "CS", sparse ? "TILED_SPARSE" : "TILED_FULL");
        d.UInt16(0x00280002, 3);
        d.String(0x00280004, "CS", spec.Coding switch
        {
            DicomFrameCoding.Jpeg => "YBR_FULL_422",
            DicomFrameCoding.Jpeg2000 => "YBR_ICT",
            _ => "RGB",
        });
        d.UInt16(0x00280006, 0);
        d.String(0x00280008, "IS", frames.Count.ToString(CultureInfo.InvariantCulture));
        d.UInt16(0x00280010, (ushort)tileHeight);
        d.UInt16(0x00280011, (ushort)tileWidth);
        d.UInt16(0x00280100, 8);
        d.UInt16(0x00280101, 8);
        d.UInt16(0x00280102, 7);
        d.UInt16(0x00280103, 0);
        d.Float(0x00480001, (float)(spec.Width * spec.PixelSpacing));
        d.UInt32(0x00480006, (uint)width);
        d.UInt32(0x00480007, (uint)height);
        var opticalPath = new DicomElements();
        if (spec.IccProfile)
        {
            opticalPath.Bytes(0x00282000, "OB", IccProfileBytes());
        }

        opticalPath.String(0x00480106, "SH", "1");
        opticalPath.String(0x00480112, "DS", "20");
        d.Sequence(0x00480105, [opticalPath], undefinedLength: true);
        d.UInt32(0x00480303, 1);
        double spacing = spec.PixelSpacing * ((double)spec.Width / Math.Max(1, width));
        var measures = new DicomElements();
        measures.String(0x00280030, "DS", $"{spacing.ToString("0.#########", CultureInfo.InvariantCulture)}\\{spacing.ToString("0.#########", CultureInfo.InvariantCulture)}");
        var shared = new DicomElements();
        shared.Sequence(0x00289110, [measures], undefinedLength: false);
        d.Sequence(0x52009229, [shared], undefinedLength: false);
        if (sparse)
        {
            var perFrame = new List<DicomElements>(tiles.Count);
            foreach ((long column, long row) in tiles)
            {
                var position = new DicomElements();
                position.String(0x0040072A, "DS", (column * tileWidth * spacing).ToString("0.######", CultureInfo.InvariantCulture));
                position.String(0x0040073A, "DS", (row * tileHeight * spacing).ToString("0.######", CultureInfo.InvariantCulture));
                position.Int32(0x0048021E, (int)((column * tileWidth) + 1));
                position.Int32(0x0048021F, (int)((row * tileHeight) + 1));
                var item = new DicomElements();
                item.Sequence(0x0048021A, [position], undefinedLength: perFrame.Count % 2 == 0);
                perFrame.Add(item);
            }

            d.Sequence(0x52009230, perFrame, undefinedLength: true);
        }

        using var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        byte[] metaBytes = meta.ToArray();
        var groupLength = new DicomElements();
        groupLength.UInt32(0x00020000, (uint)metaBytes.Length);
        file.Write(groupLength.ToArray());
        file.Write(metaBytes);
        file.Write(d.ToArray());
        WritePixelData(file, spec, frames);
        return file.ToArray();
    }

    private static void WritePixelData(MemoryStream file, DicomSeriesSpec spec, List<byte[]> frames)
    {
        if (spec.Coding == DicomFrameCoding.Uncompressed)
        {
            int total = frames.Sum(f => f.Length);
            var native = new DicomElements();
            native.Header(0x7FE00010, "OB", (uint)(total + (total % 2)));
            file.Write(native.ToArray());
            foreach (byte[] frame in frames)
            {
                file.Write(frame);
            }

            if (total % 2 != 0)
            {
                file.WriteByte(0);
            }

            return;
        }

        // Fragments: each frame in FragmentsPerFrame pieces, each padded to an even length.
        var items = new List<byte[]>();
        var frameOffsets = new List<long>();
        var frameLengths = new List<long>();
        long at = 0;
        foreach (byte[] frame in frames)
        {
            byte[] padded = frame.Length % 2 == 0 ? frame : [.. frame, 0];
            frameOffsets.Add(at);
            frameLengths.Add(padded.Length);
            int pieces = Math.Max(1, Math.Min(spec.FragmentsPerFrame, padded.Length / 2));
            int step = (padded.Length / pieces) & ~1;
            for (int p = 0; p < pieces; p++)
            {
                int start = p * step;
                int end = p == pieces - 1 ? padded.Length : start + step;
                byte[] item = new byte[8 + end - start];
                BinaryPrimitives.WriteUInt16LittleEndian(item, 0xFFFE);
                BinaryPrimitives.WriteUInt16LittleEndian(item.AsSpan(2), 0xE000);
                BinaryPrimitives.WriteUInt32LittleEndian(item.AsSpan(4), (uint)(end - start));
                padded.AsSpan(start, end - start).CopyTo(item.AsSpan(8));
                items.Add(item);
                at += item.Length;
            }
        }

        if (spec.OffsetTable == DicomOffsetTable.Extended)
        {
            var table = new DicomElements();
            table.Bytes(0x7FE00001, "OV", [.. frameOffsets.SelectMany(o => BitConverter.GetBytes((ulong)o))]);
            table.Bytes(0x7FE00002, "OV", [.. frameLengths.SelectMany(l => BitConverter.GetBytes((ulong)l))]);
            file.Write(table.ToArray());
        }

        var pixelData = new DicomElements();
        pixelData.Header(0x7FE00010, "OB", 0xFFFFFFFF);
        file.Write(pixelData.ToArray());
        byte[] bot = spec.OffsetTable == DicomOffsetTable.Basic ? [.. frameOffsets.SelectMany(o => BitConverter.GetBytes((uint)o))] : [];
        var botItem = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(botItem, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(botItem.AsSpan(2), 0xE000);
        BinaryPrimitives.WriteUInt32LittleEndian(botItem.AsSpan(4), (uint)bot.Length);
        file.Write(botItem);
        file.Write(bot);
        foreach (byte[] item in items)
        {
            file.Write(item);
        }

        file.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
    }

    /// <summary>Explicit VR little endian data elements, written in the order given (callers give them in tag order).</summary>
    private sealed class DicomElements
    {
        private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];
        private readonly ArrayBufferWriter<byte> bytes = new();

        public byte[] ToArray() => bytes.WrittenSpan.ToArray();

        public void Header(uint tag, string vr, uint length)
        {
            Span<byte> h = stackalloc byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)(tag >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(h[2..], (ushort)tag);
            h[4] = (byte)vr[0];
            h[5] = (byte)vr[1];
            if (LongVrs.Contains(vr))
            {
                h[6] = h[7] = 0;
                BinaryPrimitives.WriteUInt32LittleEndian(h[8..], length);
                bytes.Write(h);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(h[6..], checked((ushort)length));
                bytes.Write(h[..8]);
            }
        }

        public void Bytes(uint tag, string vr, byte[] value)
        {
            byte[] padded = value.Length % 2 == 0 ? value : [.. value, 0];
            Header(tag, vr, (uint)padded.Length);
            bytes.Write(padded);
        }

        public void String(uint tag, string vr, string value)
        {
            byte[] text = Encoding.ASCII.GetBytes(value);
            if (text.Length % 2 != 0)
            {
                text = [.. text, vr == "UI" ? (byte)0 : (byte)' '];
            }

            Header(tag, vr, (uint)text.Length);
            bytes.Write(text);
        }

        public void UInt16(uint tag, ushort value)
        {
            var v = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(v, value);
            Bytes(tag, "US", v);
        }

        public void UInt32(uint tag, uint value)
        {
            var v = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(v, value);
            Bytes(tag, "UL", v);
        }

        public void Int32(uint tag, int value)
        {
            var v = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(v, value);
            Bytes(tag, "SL", v);
        }

        public void Float(uint tag, float value)
        {
            var v = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(v, value);
            Bytes(tag, "FL", v);
        }

        /// <summary>A sequence of items, with undefined lengths and delimiters or with defined lengths.</summary>
        public void Sequence(uint tag, IReadOnlyList<DicomElements> items, bool undefinedLength)
        {
            using var body = new MemoryStream();
            foreach (DicomElements item in items)
            {
                byte[] content = item.ToArray();
                var h = new byte[8];
                BinaryPrimitives.WriteUInt16LittleEndian(h, 0xFFFE);
                BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), 0xE000);
                BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), undefinedLength ? 0xFFFFFFFF : (uint)content.Length);
                body.Write(h);
                body.Write(content);
                if (undefinedLength)
                {
                    body.Write([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
                }
            }

            if (undefinedLength)
            {
                body.Write([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
            }

            Header(tag, "SQ", undefinedLength ? 0xFFFFFFFF : (uint)body.Length);
            bytes.Write(body.ToArray());
        }
    }
}
