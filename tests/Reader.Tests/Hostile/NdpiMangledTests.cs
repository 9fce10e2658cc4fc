using System.Buffers.Binary;
using Reader.Core;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>
/// Mangled NDPI files: the NDPI-mode TIFF (64-bit links, high halves), the NDPI tags, the level JPEG headers, the
/// restart markers and McuStarts, each broken one way. Every case must end in the stated typed exception (at open
/// or at the first read of some level or the macro) or read cleanly, and the clean ones where only a hint was
/// damaged (McuStarts) must give exactly the pixels of the undamaged file. Derived at run time from a generated file.
/// </summary>
public sealed class NdpiMangledTests
{
    private static readonly Lazy<(string Path, byte[] Bytes)> Base = new(() =>
    {
        Assert.SkipUnless(Reader.Native.NativeShim.IsAvailable, "the NDPI writer encodes with libjpeg-turbo through the shim, which is not built: " + Reader.Native.NativeShim.UnavailableReason);
        string path = TestSlides.NewPath("mangle-base.ndpi");
        NdpiSlideWriter.Write(path, new NdpiSlideSpec { Width = 512, Height = 256, Levels = 2, Seed = 11 });
        return (path, File.ReadAllBytes(path));
    });

    private enum Outcome
    {
        OpenFails,
        ReadFails,
        AnyTypedOrClean,
        CleanSamePixels,
        Clean,
    }

    private sealed record Case(string Name, Func<NdpiBytes, byte[]> Mutate, Outcome Outcome, Type? Exception = null, string? Fragment = null)
    {
        public override string ToString() => Name;
    }

    private static readonly Type Corrupt = typeof(CorruptSlideException);
    private static readonly Type Unsupported = typeof(UnsupportedFormatException);
    private static readonly Type Limit = typeof(SlideLimitException);

    private static readonly Case[] Cases =
    [
        new("header only", b => b.Bytes[..12], Outcome.OpenFails, Corrupt),
        new("cut inside the last directory", b => b.Bytes[..(int)(b.Directory(b.Count - 1) + 30)], Outcome.OpenFails, Corrupt),
        new("cut inside level 0's JPEG", b => b.Bytes[..(int)(b.Strip(0).Offset + 2000)], Outcome.OpenFails, Corrupt),
        new("first directory offset's high half set", b => b.With(w => w.U32(8, 1)), Outcome.AnyTypedOrClean),
        new("directory loop", b => b.With(w => w.U64(b.NextLink(1), (ulong)b.Directory(0))), Outcome.OpenFails, Corrupt, "loop"),
        new("directory with no entries", b => b.With(w => w.U16(b.Directory(1), 0)), Outcome.OpenFails, Corrupt),
        new("directory claims 65535 entries", b => b.With(w => w.U16(b.Directory(1), 0xFFFF)), Outcome.OpenFails, typeof(SlideException)),
        new("next directory beyond the file (high half)", b => b.With(w => w.U32(b.NextLink(0) + 4, 7)), Outcome.OpenFails, Corrupt),
        new("SourceLens of unknown type", b => b.With(w => w.U16(b.Entry(0, 65421) + 2, 99)), Outcome.OpenFails, Corrupt, "SourceLens"),
        new("SourceLens removed from level 0", b => b.With(w => w.U16(b.Entry(0, 65421), 65001)), Outcome.OpenFails, Corrupt, "SourceLens"),
        new("focal plane removed", b => b.With(w => w.U16(b.Entry(1, 65424), 65002)), Outcome.OpenFails, Corrupt, "focal plane"),
        new("level 1 at another focal plane", b => b.With(w => w.U32(b.Entry(1, 65424) + 8, 1)), Outcome.Clean),
        new("no directory is a level", b => b.With(w => { w.F32(b.Entry(0, 65421) + 8, 0); w.F32(b.Entry(1, 65421) + 8, 0); }), Outcome.OpenFails, Unsupported, "pyramid levels"),
        new("levels smallest first", b => b.With(w => { w.F32(b.Entry(0, 65421) + 8, 0); w.F32(b.Entry(2, 65421) + 8, 20); }), Outcome.OpenFails, typeof(SlideException)),
        new("two strips", b => b.With(w => w.U32(b.Entry(0, 273) + 4, 2)), Outcome.OpenFails, Corrupt, "strips"),
        new("strip offset beyond 4 GiB (high half)", b => b.With(w => w.U32(b.Extension(0, 273), 3)), Outcome.OpenFails, Corrupt, "outside the file"),
        new("strip byte count 0", b => b.With(w => w.U32(b.Entry(0, 279) + 8, 0)), Outcome.OpenFails, Corrupt),
        new("strip byte count past the end", b => b.With(w => w.U32(b.Entry(0, 279) + 8, 0x7FFFFFFF)), Outcome.OpenFails, Corrupt, "outside the file"),
        new("JPEG without SOI", b => b.With(w => w.U8(b.Strip(0).Offset + 1, 0xD9)), Outcome.OpenFails, Corrupt, "SOI"),
        new("progressive frame", b => b.With(w => w.U8(b.Marker(0, 0xC0) + 1, 0xC2)), Outcome.OpenFails, Unsupported, "progressive"),
        new("12-bit frame", b => b.With(w => w.U8(b.Marker(0, 0xC0) + 4, 12)), Outcome.OpenFails, Corrupt, "8-bit"),
        new("one component", b => b.With(w => w.U8(b.Marker(0, 0xC0) + 9, 1)), Outcome.OpenFails, Unsupported, "components"),
        new("sampling factor 0", b => b.With(w => w.U8(b.Marker(0, 0xC0) + 11, 0x01)), Outcome.OpenFails, Corrupt, "sampling"),
        new("frame size differs from the directory", b => b.With(w => w.U16BE(b.Marker(0, 0xC0) + 7, 500)), Outcome.OpenFails, Corrupt, "directory says"),
        new("image width 0 in the directory", b => b.With(w => w.U32(b.Entry(0, 256) + 8, 0)), Outcome.OpenFails, Corrupt),
        new("restart interval not dividing a row", b => b.With(w => w.U16BE(b.Marker(0, 0xDD) + 4, 7)), Outcome.OpenFails, Corrupt, "restart interval"),
        new("restart interval longer than a row", b => b.With(w => w.U16BE(b.Marker(0, 0xDD) + 4, 128)), Outcome.OpenFails, Corrupt, "restart interval"),
        new("no restart interval (DRI made a comment)", b => b.With(w => w.U8(b.Marker(0, 0xDD) + 1, 0xFE)), Outcome.ReadFails, typeof(SlideException)),
        new("marker segment length 1", b => b.With(w => w.U16BE(b.Marker(0, 0xDB) + 2, 1)), Outcome.OpenFails, Corrupt, "length"),
        new("no SOS (made a comment)", b => b.With(w => w.U8(b.Marker(0, 0xDA) + 1, 0xFE)), Outcome.OpenFails, Corrupt),
        new("McuStarts all off by one", b => b.With(w => b.ForEachMcuStart(0, (p, v) => w.U32(p, v + 1))), Outcome.CleanSamePixels),
        new("McuStarts one short", b => b.With(w => w.U32(b.Entry(0, 65426) + 4, (uint)(b.McuStartCount(0) - 1))), Outcome.CleanSamePixels),
        new("McuStarts beyond the file", b => b.With(w => b.ForEachMcuStart(0, (p, v) => w.U32(p, 0xFFFFFFF0))), Outcome.CleanSamePixels),
        new("McuStarts pointing at the header", b => b.With(w => b.ForEachMcuStart(0, (p, v) => w.U32(p, 2))), Outcome.CleanSamePixels),
        new("a restart marker destroyed", b => b.With(w => w.U8(b.RestartMarker(0, 5) + 1, 0x00)), Outcome.ReadFails, typeof(SlideException)),
        new("a restart marker destroyed, no McuStarts", b => b.With(w => { w.U8(b.RestartMarker(0, 5) + 1, 0x00); w.U16(b.Entry(0, 65426), 65003); }), Outcome.ReadFails, Corrupt, "restart marker"),
        new("a restart marker renumbered", b => b.With(w => w.U8(b.RestartMarker(0, 5) + 1, 0xD0 + ((b.Bytes[b.RestartMarker(0, 5) + 1] - 0xD0 + 3) & 7))), Outcome.ReadFails, Corrupt, "restart marker"),
        new("entropy data zeroed in one interval", b => b.With(w => w.Fill(b.RestartMarker(0, 9) + 2, 40, 0x00)), Outcome.AnyTypedOrClean),
        new("strip ends before EOI", b => b.With(w => w.U32(b.Entry(0, 279) + 8, (uint)(b.Strip(0).Length - 2))), Outcome.ReadFails, Corrupt, "marker"),
        new("macro JPEG without SOI", b => b.With(w => w.U8(b.Strip(b.Count - 1).Offset, 0x00)), Outcome.OpenFails, Corrupt, "SOI"),
        new("property map of 2 GiB", b => b.With(w => w.U32(b.Entry(0, 65449) + 4, 0x7FFFFFFF)), Outcome.OpenFails, Limit),
        new("XResolution with denominator 0", b => b.With(w => w.U32(b.Pointer(0, 282) + 4, 0)), Outcome.Clean),
        // As OpenSlide: a directory that fails in NDPI mode makes the file classic TIFF, whose 32-bit offsets still hold here.
        new("high half on an inline SHORT", b => b.With(w => w.U32(b.Extension(0, 259), 1)), Outcome.Clean),
        new("high half on an inline SHORT of level 1", b => b.With(w => w.U32(b.Extension(1, 259), 1)), Outcome.OpenFails, Corrupt, "high offset bits"),
    ];

    public static TheoryData<string> Names => [.. Cases.Select(c => c.Name)];

    [Fact]
    public void The_catalogue_has_at_least_30_ndpi_cases()
    {
        Assert.True(Cases.Length >= 30, $"{Cases.Length} NDPI cases");
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Mangled_ndpi_ends_in_a_typed_exception_or_reads_cleanly(string name)
    {
        Case c = Cases.Single(k => k.Name == name);
        var original = new NdpiBytes(Base.Value.Bytes);
        byte[] mangled = c.Mutate(original);
        string path = TestSlides.NewPath("mangled.ndpi");
        File.WriteAllBytes(path, mangled);

        Slide slide;
        try
        {
            slide = Slide.Open(path);
        }
        catch (SlideException e) when (c.Outcome is Outcome.OpenFails or Outcome.AnyTypedOrClean)
        {
            Expect(c, e);
            return;
        }

        Assert.False(c.Outcome == Outcome.OpenFails, $"{name}: opened, {c.Exception?.Name} expected at open");
        using (slide)
        {
            try
            {
                byte[][] pixels = ReadEverything(slide);
                Assert.False(c.Outcome == Outcome.ReadFails, $"{name}: every read succeeded, {c.Exception?.Name} expected");
                if (c.Outcome == Outcome.CleanSamePixels)
                {
                    using var reference = Slide.Open(Base.Value.Path);
                    byte[][] expected = ReadEverything(reference);
                    Assert.Equal(expected.Length, pixels.Length);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        Assert.True(expected[i].AsSpan().SequenceEqual(pixels[i]), $"{name}: image {i} differs from the undamaged file");
                    }
                }
            }
            catch (SlideException e) when (c.Outcome is Outcome.ReadFails or Outcome.AnyTypedOrClean)
            {
                Expect(c, e);
                Assert.Contains("mangled.ndpi", e.Message, StringComparison.Ordinal);
            }
        }
    }

    private static void Expect(Case c, SlideException e)
    {
        if (c.Exception is not null)
        {
            Assert.True(c.Exception.IsInstanceOfType(e), $"{c.Name}: {e.GetType().Name} ({e.Message}), {c.Exception.Name} expected");
        }

        if (c.Fragment is not null)
        {
            Assert.Contains(c.Fragment, e.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static byte[][] ReadEverything(Slide slide)
    {
        var images = new List<byte[]>();
        foreach (SlideLevel level in slide.Levels)
        {
            images.Add(slide.ReadRegion(0, 0, level.Index, (int)level.Width, (int)level.Height, PixelFormat.Rgba32));
        }

        foreach (string name in slide.AssociatedImageNames)
        {
            images.Add(slide.ReadAssociatedImage(name));
        }

        return [.. images];
    }

    /// <summary>An NDPI file's bytes with the positions of its directories, entries, strips and JPEG markers.</summary>
    private sealed class NdpiBytes
    {
        private readonly List<long> directories = [];

        public NdpiBytes(byte[] bytes)
        {
            Bytes = bytes;
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(4));
            while (offset != 0)
            {
                directories.Add(offset);
                int n = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)offset));
                offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)offset + 2 + (12 * n)));
            }
        }

        public byte[] Bytes { get; }

        public int Count => directories.Count;

        public int Directory(int d) => (int)directories[d];

        public int NextLink(int d) => Directory(d) + 2 + (12 * EntryCount(d));

        public int Entry(int d, ushort tag)
        {
            for (int i = 0; i < EntryCount(d); i++)
            {
                int at = Directory(d) + 2 + (12 * i);
                if (BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(at)) == tag)
                {
                    return at;
                }
            }

            throw new InvalidOperationException($"no tag {tag} in directory {d}");
        }

        /// <summary>Where the high half of <paramref name="tag"/>'s value field lies.</summary>
        public int Extension(int d, ushort tag) => NextLink(d) + 8 + (4 * ((Entry(d, tag) - Directory(d) - 2) / 12));

        /// <summary>The out-of-line value of <paramref name="tag"/>.</summary>
        public int Pointer(int d, ushort tag) => (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Entry(d, tag) + 8));

        public (int Offset, int Length) Strip(int d) =>
            ((int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Entry(d, 273) + 8)), (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Entry(d, 279) + 8)));

        /// <summary>The first JPEG marker <paramref name="marker"/> in directory <paramref name="d"/>'s header.</summary>
        public int Marker(int d, byte marker)
        {
            int start = Strip(d).Offset;
            int pos = start + 2;
            while (Bytes[pos + 1] != marker)
            {
                pos += 2 + ((Bytes[pos + 2] << 8) | Bytes[pos + 3]);
                if (Bytes[pos - 1] == 0xDA || pos > start + 4096)
                {
                    throw new InvalidOperationException($"no marker 0x{marker:X2}");
                }
            }

            return pos;
        }

        /// <summary>The <paramref name="k"/>th RST marker of directory <paramref name="d"/>'s JPEG.</summary>
        public int RestartMarker(int d, int k)
        {
            (int offset, int length) = Strip(d);
            for (int i = offset; i < offset + length - 1; i++)
            {
                if (Bytes[i] == 0xFF && Bytes[i + 1] is >= 0xD0 and <= 0xD7 && k-- == 0)
                {
                    return i;
                }
            }

            throw new InvalidOperationException("too few restart markers");
        }

        public int McuStartCount(int d) => (int)BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Entry(d, 65426) + 4));

        public void ForEachMcuStart(int d, Action<int, uint> visit)
        {
            int at = Pointer(d, 65426);
            for (int i = 0; i < McuStartCount(d); i++)
            {
                visit(at + (4 * i), BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(at + (4 * i))));
            }
        }

        public byte[] With(Action<Writer> edit)
        {
            var copy = (byte[])Bytes.Clone();
            edit(new Writer(copy));
            return copy;
        }

        private int EntryCount(int d) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(Directory(d)));
    }

    private sealed class Writer(byte[] bytes)
    {
        public void U8(int at, int v) => bytes[at] = (byte)v;

        public void U16(int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), v);

        public void U16BE(int at, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), v);

        public void U32(int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), v);

        public void U64(int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), v);

        public void F32(int at, float v) => BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), v);

        public void Fill(int at, int count, byte v) => bytes.AsSpan(at, count).Fill(v);
    }
}
