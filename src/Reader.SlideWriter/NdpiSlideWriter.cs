using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Reader.SlideWriter;

/// <summary>What <see cref="NdpiSlideWriter"/> writes.</summary>
public sealed record NdpiSlideSpec
{
    /// <summary>Level 0 width (a multiple of the MCU width).</summary>
    public int Width { get; init; } = 1024;

    /// <summary>Level 0 height (a multiple of the MCU height).</summary>
    public int Height { get; init; } = 768;

    /// <summary>Stored levels, each half the previous one (Hamamatsu stores 4 or so).</summary>
    public int Levels { get; init; } = 3;

    /// <summary>Restart interval in MCUs; 0 means one interval per MCU row, as Hamamatsu scanners write.</summary>
    public int RestartInterval { get; init; }

    /// <summary>4:2:0 chroma (MCUs of 16x16) instead of 4:4:4 (8x8).</summary>
    public bool Subsampled420 { get; init; }

    /// <summary>Writes the McuStarts tag (65426); without it a reader must find the restart markers itself.</summary>
    public bool McuStarts { get; init; } = true;

    /// <summary>Writes a macro image (SourceLens -1).</summary>
    public bool Macro { get; init; } = true;

    /// <summary>
    /// Leaves a hole of this many bytes (sparse on disk) before the image data, so offsets beyond 4 GiB need NDPI's
    /// high halves: in the header, the directory links, every out-of-line value, the strip offsets and McuStarts (65432).
    /// </summary>
    public long Gap { get; init; }

    /// <summary>Objective magnification written as SourceLens.</summary>
    public float SourceLens { get; init; } = 20;

    /// <summary>Pixel size in micrometres (written as resolution per centimetre).</summary>
    public double Mpp { get; init; } = 0.4567;

    public int Quality { get; init; } = 90;

    public int Seed { get; init; } = 7;
}

/// <summary>
/// Writes a synthetic Hamamatsu NDPI: classic TIFF in NDPI's 64-bit layout (an 8-byte first-directory offset,
/// 8-byte directory links, the high halves of every entry's value field after each directory), each level one
/// JPEG strip with restart markers, McuStarts, the NDPI tags and a key=value property map. Tests only: the
/// JPEGs come from libjpeg-turbo through the shim (the managed encoder cannot write restart markers per row here).
/// </summary>
public static class NdpiSlideWriter
{
    private const ushort TypeShort = 3;
    private const ushort TypeLong = 4;
    private const ushort TypeAscii = 2;
    private const ushort TypeRational = 5;
    private const ushort TypeSLong = 9;
    private const ushort TypeFloat = 11;

    /// <summary>Writes the slide to <paramref name="path"/> (replacing it).</summary>
    public static void Write(string path, NdpiSlideSpec spec)
    {
        int mcu = spec.Subsampled420 ? 16 : 8;
        if (spec.Width % (mcu << (spec.Levels - 1)) != 0 || spec.Height % (mcu << (spec.Levels - 1)) != 0)
        {
            throw new ArgumentException($"width and height must be multiples of {mcu << (spec.Levels - 1)}", nameof(spec));
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        file.Write(new byte[12]); // header, patched at the end
        file.Position = 12 + spec.Gap;
        var directories = new List<List<Entry>>();
        for (int level = 0; level < spec.Levels; level++)
        {
            int width = spec.Width >> level, height = spec.Height >> level;
            int restart = spec.RestartInterval > 0 ? spec.RestartInterval : width / mcu;
            byte[] jpeg = Encode(spec, level, width, height, restart);
            long start = file.Position;
            file.Write(jpeg);
            List<Entry> entries = ImageEntries(spec, width, height, start, jpeg.Length, spec.SourceLens);
            if (spec.McuStarts && (width / (restart * mcu)) * (height / mcu) > 1)
            {
                long[] starts = IntervalStarts(jpeg);
                entries.Add(Entry.Longs(65426, starts.Select(s => (uint)s).ToArray()));
                if (starts.Any(s => s > uint.MaxValue) || start > uint.MaxValue)
                {
                    entries.Add(Entry.Longs(65432, starts.Select(s => (uint)(s >> 32)).ToArray()));
                }
            }

            directories.Add(entries);
        }

        if (spec.Macro)
        {
            int width = 320, height = 120;
            byte[] jpeg = Encode(spec with { Subsampled420 = false }, 5, width, height, 0);
            long start = file.Position;
            file.Write(jpeg);
            directories.Add(ImageEntries(spec, width, height, start, jpeg.Length, -1));
        }

        // Out-of-line values, then the directories, each linked to the next with 8-byte offsets.
        foreach (List<Entry> entries in directories)
        {
            foreach (Entry e in entries.Where(e => !e.IsInline))
            {
                e.Offset = file.Position;
                file.Write(e.Data);
                if ((file.Position & 1) != 0)
                {
                    file.WriteByte(0);
                }
            }
        }

        long first = file.Position;
        for (int d = 0; d < directories.Count; d++)
        {
            List<Entry> entries = [.. directories[d].OrderBy(e => e.Tag)];
            long size = 2 + (12L * entries.Count) + 8 + (4L * entries.Count);
            long next = d + 1 < directories.Count ? file.Position + size : 0;
            var bytes = new byte[size];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)entries.Count);
            int extension = 2 + (12 * entries.Count) + 8;
            for (int i = 0; i < entries.Count; i++)
            {
                Entry e = entries[i];
                Span<byte> slot = bytes.AsSpan(2 + (12 * i), 12);
                BinaryPrimitives.WriteUInt16LittleEndian(slot, e.Tag);
                BinaryPrimitives.WriteUInt16LittleEndian(slot[2..], e.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], (uint)e.Count);
                ulong field = e.Offset >= 0 ? (ulong)e.Offset : e.InlineValue;
                BinaryPrimitives.WriteUInt32LittleEndian(slot[8..], (uint)field);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(extension + (4 * i)), (uint)(field >> 32));
            }

            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2 + (12 * entries.Count)), (ulong)next);
            file.Write(bytes);
        }

        file.Position = 0;
        Span<byte> header = stackalloc byte[12];
        "II"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 42);
        BinaryPrimitives.WriteUInt64LittleEndian(header[4..], (ulong)first);
        file.Write(header);
    }

    /// <summary>Offsets (from the strip start) of every restart interval: the first after the header, then after each RST marker.</summary>
    public static long[] IntervalStarts(ReadOnlySpan<byte> jpeg)
    {
        int sos = jpeg.IndexOf([(byte)0xFF, (byte)0xDA]);
        int headerEnd = sos + 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
        var starts = new List<long> { headerEnd };
        for (int i = headerEnd; i + 1 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is >= 0xD0 and <= 0xD7)
            {
                starts.Add(i + 2);
            }
        }

        return [.. starts];
    }

    private static byte[] Encode(NdpiSlideSpec spec, int level, int width, int height, int restart)
    {
        var rgb = new byte[width * height * 3];
        SyntheticContent.RenderRgb(spec.Seed, level, 0, 0, width, height, rgb, width * 3);
        var tiles = new SyntheticSlideSpec
        {
            Compression = SlideCompression.Jpeg,
            Color = SlideColor.Rgb,
            Subsampling = spec.Subsampled420 ? ChromaSubsampling.S420 : ChromaSubsampling.S444,
            Tables = JpegTablesPlacement.InTile,
            Quality = spec.Quality,
            RestartInterval = restart,
            TileWidth = width,
            TileHeight = height,
        };
        return new TileEncoder(tiles).Encode(rgb, width, height, 3);
    }

    private static List<Entry> ImageEntries(NdpiSlideSpec spec, int width, int height, long start, int length, float lens)
    {
        double perCentimetre = 10000 / spec.Mpp;
        string map = string.Join("\r\n", new[]
        {
            "Created=2026/12/03",
            "NDP.S/N=123456",
            "Objective.Lens.Magnificant=" + spec.SourceLens.ToString(CultureInfo.InvariantCulture),
            "PSHV=179",
            "EmptyValue=",
            "=no key",
            "Has=Equals=Twice",
        }) + "\r\n";
        return
        [
            Entry.Long(256, (uint)width),
            Entry.Long(257, (uint)height),
            Entry.Shorts(258, 8, 8, 8),
            Entry.Short(259, 7),
            Entry.Short(262, 6),
            Entry.Ascii(271, "Hamamatsu"),
            Entry.Ascii(272, "C13220"),
            Entry.Long8(273, (ulong)start),
            Entry.Short(277, 3),
            Entry.Long(278, (uint)height),
            Entry.Long(279, (uint)length),
            Entry.Rational(282, (uint)Math.Round(perCentimetre * 1000), 1000),
            Entry.Rational(283, (uint)Math.Round(perCentimetre * 1000), 1000),
            Entry.Short(296, 3),
            Entry.Ascii(305, "NDP.scan 3.4.0"),
            Entry.Ascii(306, "2026:12:03 10:00:00"),
            Entry.Long(65420, 1),
            Entry.Float(65421, lens),
            Entry.SLong(65422, 1234567),
            Entry.SLong(65423, -7654321),
            Entry.SLong(65424, 0),
            Entry.Ascii(65427, "reference-" + spec.Seed.ToString(CultureInfo.InvariantCulture)),
            Entry.Ascii(65449, map),
        ];
    }

    private sealed class Entry(ushort tag, ushort type, long count, byte[] data)
    {
        public ushort Tag { get; } = tag;

        public ushort Type { get; } = type;

        public long Count { get; } = count;

        public byte[] Data { get; } = data;

        public long Offset { get; set; } = -1;

        /// <summary>NDPI keeps a value in the entry when it fits 4 bytes (plus the high half for a LONG), ASCII never.</summary>
        public bool IsInline => Type != TypeAscii && (Data.Length <= 4 || (Type == TypeLong && Count == 1));

        /// <summary>The value left-justified in the 8-byte field (low half in the entry, high half after the directory).</summary>
        public ulong InlineValue
        {
            get
            {
                Span<byte> raw = stackalloc byte[8];
                Data.CopyTo(raw);
                return BinaryPrimitives.ReadUInt64LittleEndian(raw);
            }
        }

        public static Entry Short(ushort tag, ushort v) => Shorts(tag, v);

        public static Entry Shorts(ushort tag, params ushort[] v)
        {
            var data = new byte[v.Length * 2];
            for (int i = 0; i < v.Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), v[i]);
            }

            return new Entry(tag, TypeShort, v.Length, data);
        }

        public static Entry Long(ushort tag, uint v) => Longs(tag, v);

        /// <summary>A LONG whose value may need NDPI's high half (a strip offset beyond 4 GiB).</summary>
        public static Entry Long8(ushort tag, ulong v)
        {
            var data = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(data, v);
            return new Entry(tag, TypeLong, 1, v > uint.MaxValue ? data : data[..4]);
        }

        public static Entry Longs(ushort tag, params uint[] v)
        {
            var data = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4 * i), v[i]);
            }

            return new Entry(tag, TypeLong, v.Length, data);
        }

        public static Entry SLong(ushort tag, int v)
        {
            var data = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(data, v);
            return new Entry(tag, TypeSLong, 1, data);
        }

        public static Entry Float(ushort tag, float v)
        {
            var data = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(data, v);
            return new Entry(tag, TypeFloat, 1, data);
        }

        public static Entry Rational(ushort tag, uint numerator, uint denominator)
        {
            var data = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(data, numerator);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), denominator);
            return new Entry(tag, TypeRational, 1, data);
        }

        public static Entry Ascii(ushort tag, string v)
        {
            byte[] data = [.. Encoding.ASCII.GetBytes(v), 0];
            return new Entry(tag, TypeAscii, data.Length, data);
        }
    }
}
