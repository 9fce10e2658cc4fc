using System.Buffers.Binary;
using System.Text;
using Reader.Core;
using Reader.SlideWriter;
using Reader.Tests.Dicom;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>One broken DICOM series: a generated base series, a mutation of its files, the outcome it must have.</summary>
internal sealed record DicomMangleCase(string Name, string Base, Action<Dictionary<string, byte[]>> Mutate, Expectation Expect, string Open = "level_0.dcm")
{
    public override string ToString() => Name;
}

/// <summary>
/// The DICOM family of the mangled-file catalogue: mutations of generated series (Part 10 header, file meta, element
/// headers and lengths, sequences and items, pixel data fragments and offset tables, WSI attributes, the series) with
/// the outcome OpenSlide 4.0.1's rules give, or the typed error our stricter reader gives. Files are derived at run
/// time into a temporary folder, never committed.
/// </summary>
internal static class DicomMangledCases
{
    public static readonly Dictionary<string, DicomSeriesSpec> Bases = new()
    {
        ["jpeg"] = TestDicom.Kinds["jpeg-bot"],
        ["raw"] = TestDicom.Kinds["uncompressed"],
        ["sparse"] = TestDicom.Kinds["sparse-jpeg"],
        ["no-table"] = TestDicom.Kinds["jpeg-no-table"],
    };

    private const string L0 = "level_0.dcm";
    private static readonly Type Corrupt = typeof(CorruptSlideException);
    private static readonly Type Unsupported = typeof(UnsupportedFormatException);
    private static readonly Type Limit = typeof(SlideLimitException);

    public static IEnumerable<DicomMangleCase> All()
    {
        // The Part 10 header and the file meta information.
        yield return Case("jpeg", "no DICM magic", f => Patch(f[L0], 128, "DICX"u8), Open(Unsupported));
        yield return Case("jpeg", "file cut inside the preamble", f => f[L0] = f[L0][..100], Open(Unsupported));
        yield return Case("jpeg", "file cut inside the file meta", f => f[L0] = f[L0][..150], Open(Corrupt, "the file ends"));
        yield return Case("jpeg", "file cut inside the metadata", f => f[L0] = f[L0][..700], Open(Corrupt));
        yield return Case("jpeg", "SOP class of a CT image", f => SetString(f, L0, 0x00020002, "1.2.840.10008.5.1.4.1.1.2"), Open(Unsupported, "not a whole-slide DICOM image"));
        yield return Case("jpeg", "big endian transfer syntax", f => SetString(f, L0, 0x00020010, "1.2.840.10008.1.2.2"), Open(Unsupported, "big endian"));
        yield return Case("jpeg", "JPEG-LS transfer syntax", f => SetString(f, L0, 0x00020010, "1.2.840.10008.1.2.4.80"), Open(Unsupported, "transfer syntax"));
        yield return Case("jpeg", "implicit VR transfer syntax over explicit data", f => SetString(f, L0, 0x00020010, "1.2.840.10008.1.2"), Open(typeof(SlideException)));
        yield return Case("jpeg", "file meta element with a bad VR", f => Patch(f[L0], Find(f[L0], 0x00020013) + 4, "Q?"u8), Open(Corrupt, "no valid VR"));

        // Element headers and lengths.
        yield return Case("jpeg", "element with an unknown VR", f => Patch(f[L0], Find(f[L0], 0x00080070) + 4, "ZZ"u8), Open(Corrupt, "no valid VR"));
        yield return Case("jpeg", "non-zero reserved bytes of an OB header", f => Patch(f[L0], Find(f[L0], 0x00282000) + 6, [1, 0]), Open(Corrupt, "reserved"));
        yield return Case("jpeg", "sequence length past the end of the file", f => SetLength32(f[L0], 0x00480105, 0x7FFFFFF0), Open(Corrupt, "past the end"));
        yield return Case("jpeg", "ICC profile with an undefined length", f => SetLength32(f[L0], 0x00282000, 0xFFFFFFFF), Open(Corrupt));
        yield return Case("jpeg", "US value of odd length", f => SetLength16(f[L0], 0x00280002, 3), Open(Corrupt, "not a multiple of 2"));
        yield return Case("jpeg", "item delimiter at the top level", f => Patch(f[L0], Find(f[L0], 0x00080060), [0xFE, 0xFF, 0x0D, 0xE0]), Open(Corrupt, "item delimiter outside"));
        yield return Case("jpeg", "sequence item with a wrong tag", f => Patch(f[L0], Find(f[L0], 0x00480105) + 12, [0x08, 0x00, 0x70, 0x00]), Open(Corrupt, "where an item"));
        yield return Case("jpeg", "defined-length item overrunning its sequence", f => AddToItemLength(f[L0], 0x52009229, 64), Open(Corrupt));
        yield return Case("jpeg", "sequences nested 40 deep", f => f[L0] = Insert(f[L0], Find(f[L0], 0x52009229), Nested(40)), Open(Corrupt, "nest deeper"));
        yield return Case("jpeg", "sequences nested 20 deep (allowed)", f => f[L0] = Insert(f[L0], Find(f[L0], 0x52009229), Nested(20)), Clean());
        yield return Case("jpeg", "17 MiB of metadata", f => f[L0] = Insert(f[L0], Find(f[L0], 0x52009229), BigText(17 << 20)), Open(Limit, "metadata"));

        // WSI attributes OpenSlide 4.0.1 checks.
        yield return Case("jpeg", "ImageType without the flavour", f => SetString(f, L0, 0x00080008, "DERIVED\\PRIMARY"), Open(Corrupt, "ImageType has no third value"));
        yield return Case("jpeg", "level 0 flavour LOCALIZER (ignored)", f => SetString(f, L0, 0x00080008, "DERIVED\\PRIMARY\\LOCALIZER"), Clean((s, o) => Assert.Equal(o.Levels[1].Width, s.Levels[0].Width)));
        yield return Case("jpeg", "SamplesPerPixel 1", f => SetUInt16(f[L0], 0x00280002, 1), Open(Unsupported, "SamplesPerPixel"));
        yield return Case("jpeg", "BitsStored 12", f => SetUInt16(f[L0], 0x00280101, 12), Open(Unsupported, "BitsStored"));
        yield return Case("jpeg", "BitsAllocated 12 (refused at metadata)", f => SetUInt16(f[L0], 0x00280100, 12), Open(Corrupt, "BitsAllocated"));
        yield return Case("jpeg", "PlanarConfiguration 1", f => SetUInt16(f[L0], 0x00280006, 1), Open(Unsupported, "PlanarConfiguration"));
        yield return Case("jpeg", "PhotometricInterpretation MONOCHROME2", f => SetString(f, L0, 0x00280004, "MONOCHROME2"), Open(Unsupported, "photometric"));
        yield return Case("jpeg", "Rows 0", f => SetUInt16(f[L0], 0x00280010, 0), Open(Corrupt, "empty"));
        yield return Case("jpeg", "NumberOfFrames 0", f => SetString(f, L0, 0x00280008, "0"), Open(Corrupt, "NumberOfFrames"));
        yield return Case("jpeg", "NumberOfFrames beyond what the file holds", f => SetString(f, L0, 0x00280008, "99999999"), Open(Corrupt, "NumberOfFrames"));
        yield return Case("jpeg", "NumberOfFrames 2 with a 12-entry offset table", f => SetString(f, L0, 0x00280008, "2"), Open(Corrupt, "offsets for 2 frames"));
        yield return Case("jpeg", "TotalPixelMatrixColumns 4294967295 (tiles without frames)", f => SetUInt32(f[L0], 0x00480006, uint.MaxValue), Read(Corrupt, "no frame holds this tile"));
        yield return Case("jpeg", "TotalPixelMatrix 4294967295 square (too many tiles)", f => { SetUInt32(f[L0], 0x00480006, uint.MaxValue); SetUInt32(f[L0], 0x00480007, uint.MaxValue); }, Open(Limit, "tiles"));
        yield return Case("jpeg", "TotalPixelMatrixColumns 3000 (tiles without frames, TILED_FULL)", f => SetUInt32(f[L0], 0x00480006, 3000), Read(Corrupt, "no frame holds this tile"));
        yield return Case("jpeg", "DimensionOrganizationType TILED_WHAT", f => SetString(f, L0, 0x00209311, "TILED_WHAT"), Open(Unsupported, "DimensionOrganizationType"));
        yield return Case("jpeg", "focal planes 2", f => SetUInt32(f[L0], 0x00480303, 2), Open(Unsupported, "TotalPixelMatrixFocalPlanes"));

        // The series.
        yield return Case("jpeg", "level 0 in another series (alone)", f => SetString(f, L0, 0x0020000E, "2.25.999"), Clean((s, _) => Assert.Equal((1, 0), (s.Levels.Count, s.AssociatedImageNames.Count))));
        yield return Case("jpeg", "a copy of level 1 (same instance, ignored)", f => f["copy.dcm"] = f["level_1.dcm"], Clean((s, o) => Assert.Equal(o.Levels.Count, s.Levels.Count)));
        yield return Case("jpeg", "a second level of the same size", f => { f["copy.dcm"] = f["level_1.dcm"]; SetString(f, "copy.dcm", 0x00080018, "2.25.777"); }, Open(Unsupported, "a second"));
        yield return Case("jpeg", "a second thumbnail", f => { f["thumb2.dcm"] = f["thumbnail.dcm"]; SetString(f, "thumb2.dcm", 0x00080018, "2.25.778"); }, Open(Unsupported, "a second thumbnail"));
        yield return Case("jpeg", "a sibling with NumberOfFrames 0 (skipped)", f => SetString(f, "level_2.dcm", 0x00280008, "0"), Clean((s, o) => Assert.Equal(o.Levels.Count - 1, s.Levels.Count)));
        yield return Case("jpeg", "a damaged sibling (skipped)", f => f["level_2.dcm"] = f["level_2.dcm"][..600], Clean((s, o) => Assert.Equal(o.Levels.Count - 1, s.Levels.Count)));
        yield return Case("jpeg", "thumbnail frame smaller than the image", f => SetUInt32(f["thumbnail.dcm"], 0x00480006, 100), Read(Unsupported, "associated image"));
        yield return Case("jpeg", "InConcatenationNumber 0", f => f[L0] = Insert(f[L0], Find(f[L0], 0x00209311), Element(0x00209162, "US", [0, 0])), Open(Corrupt, "InConcatenationNumber"));

        // Pixel data, fragments and offset tables.
        yield return Case("jpeg", "offset table not increasing", f => SwapBotEntries(f[L0]), Open(Corrupt, "does not follow"));
        yield return Case("jpeg", "offset table entry inside a fragment", f => AddToBotEntry(f[L0], 3, 2), Open(Corrupt, "does not point at a fragment"));
        yield return Case("jpeg", "offset table of 6 bytes", f => PatchUInt32(f[L0], Find(f[L0], 0x7FE00010) + 16, 6), Open(Corrupt, "Basic Offset Table"));
        yield return Case("jpeg", "fragment item with a wrong tag", f => Patch(f[L0], FirstFragment(f[L0]), [0, 0, 0, 0]), Open(Corrupt, "fragment item"));
        yield return Case("jpeg", "fragment length past the end of the file", f => PatchUInt32(f[L0], FirstFragment(f[L0]) + 4, 0x7FFFFFF0), Read(Corrupt, "past the end of the pixel data"));
        yield return Case("jpeg", "no sequence delimiter after the fragments", f => f[L0] = f[L0][..^8], Read(Corrupt, "frame 12"));
        yield return Case("jpeg", "file cut inside the pixel data", f => f[L0] = f[L0][..(f[L0].Length * 2 / 3)], Read(Corrupt, "past the end of the pixel data"));
        yield return Case("jpeg", "garbage JPEG frame", f => Fill(f[L0], FirstFragment(f[L0]) + 8, 200, 0x5A), Read(Corrupt));
        yield return Case("jpeg", "pixel data with a defined length", f => PatchUInt32(f[L0], Find(f[L0], 0x7FE00010) + 8, 1000), Open(Corrupt, "undefined length"));
        yield return Case("no-table", "one fragment too few and no offset table", f => DropLastFragment(f, L0), Open(Corrupt, "fragments for 12 frames"));
        yield return Case("raw", "native pixel data shorter than its frames", f => PatchUInt32(f[L0], Find(f[L0], 0x7FE00010) + 8, 1000), Open(Corrupt, "do not fit"));
        yield return Case("raw", "native file cut short", f => f[L0] = f[L0][..^1000], Read(Corrupt, "beyond the end"));
        yield return Case("sparse", "plane position off the tile grid", f => PatchSl(f[L0], 0x0048021E, 2), Open(Corrupt, "not on a tile boundary"));
        yield return Case("sparse", "plane position outside the image (tile missing, filled)", f => PatchSl(f[L0], 0x0048021E, 1 + (256 * 100)), Clean());
        yield return Case("sparse", "no per-frame functional groups (every tile missing)", f => Patch(f[L0], Find(f[L0], 0x52009230), [0x09, 0x00, 0x30, 0x92]), Clean((s, _) => Assert.True(s.ReadRegion(0, 0, 0, 64, 64, PixelFormat.Rgba32).All(b => b == 0), "missing tiles are transparent")));
        yield return Case("sparse", "extended offset table lengths with a wrong element length", f => SetLength32(f[L0], 0x7FE00002, 8), Open(Corrupt));
    }

    /// <summary>Writes the mangled series into a new folder; returns the path of the file the case opens.</summary>
    public static string WriteMangled(DicomMangleCase c)
    {
        string source = TestDicom.Folder(Bases[c.Base]);
        var files = Directory.EnumerateFiles(source).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes, StringComparer.Ordinal);
        c.Mutate(files);
        string folder = TestSlides.NewPath("mangled-dicom");
        Directory.CreateDirectory(folder);
        foreach ((string name, byte[] bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        }

        return Path.Combine(folder, c.Open);
    }

    /// <summary>The header offset of the first element with <paramref name="tag"/> after the preamble (explicit VR: the tag, then two capital letters).</summary>
    public static int Find(byte[] file, uint tag)
    {
        Span<byte> pattern = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(pattern, (ushort)(tag >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(pattern[2..], (ushort)tag);
        for (int at = 132; at + 6 <= file.Length; at++)
        {
            at += file.AsSpan(at).IndexOf(pattern);
            if (at < 132 || at + 6 > file.Length)
            {
                break;
            }

            if (file[at + 4] is >= (byte)'A' and <= (byte)'Z' && file[at + 5] is >= (byte)'A' and <= (byte)'Z')
            {
                return at;
            }
        }

        throw new InvalidOperationException($"tag {tag:X8} not found");
    }

    private static DicomMangleCase Case(string b, string family, Action<Dictionary<string, byte[]>> mutate, Expectation e) => new($"dicom {b}: {family}", b, mutate, e);

    private static Expectation Open(Type t, string? fragment = null) => new(Stage.Open, t, fragment);

    private static Expectation Read(Type t, string? fragment = null) => new(Stage.Read, t, fragment);

    private static Expectation Clean(Action<Slide, Slide>? check = null) => new(Stage.Clean, Check: check);

    private static void Patch(byte[] file, int at, ReadOnlySpan<byte> bytes) => bytes.CopyTo(file.AsSpan(at));

    private static void PatchUInt32(byte[] file, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), value);

    private static void Fill(byte[] file, int at, int count, byte value) => file.AsSpan(at, count).Fill(value);

    private static void SetUInt16(byte[] file, uint tag, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(Find(file, tag) + 8), value);

    private static void SetUInt32(byte[] file, uint tag, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(Find(file, tag) + 8), value);

    private static void SetLength16(byte[] file, uint tag, ushort length) => BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(Find(file, tag) + 6), length);

    private static void SetLength32(byte[] file, uint tag, uint length) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(Find(file, tag) + 8), length);

    /// <summary>Replaces a short-form string element's value (top level, outside defined-length items), padding it to an even length.</summary>
    private static void SetString(Dictionary<string, byte[]> files, string name, uint tag, string value)
    {
        byte[] file = files[name];
        int at = Find(file, tag);
        int old = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 6));
        byte[] text = Encoding.ASCII.GetBytes(value);
        string vr = Encoding.ASCII.GetString(file, at + 4, 2);
        if (text.Length % 2 != 0)
        {
            text = [.. text, vr == "UI" ? (byte)0 : (byte)' '];
        }

        byte[] element = Element(tag, vr, text);
        files[name] = [.. file.AsSpan(0, at), .. element, .. file.AsSpan(at + 8 + old)];
    }

    private static byte[] Element(uint tag, string vr, byte[] value)
    {
        var e = new byte[8 + value.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)(tag >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2), (ushort)tag);
        e[4] = (byte)vr[0];
        e[5] = (byte)vr[1];
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(6), (ushort)value.Length);
        value.CopyTo(e, 8);
        return e;
    }

    private static byte[] Insert(byte[] file, int at, byte[] bytes) => [.. file.AsSpan(0, at), .. bytes, .. file.AsSpan(at)];

    /// <summary><paramref name="depth"/> private sequences of undefined length, each the only element of the one above's item.</summary>
    private static byte[] Nested(int depth)
    {
        byte[] open = [0x09, 0x00, 0x10, 0x10, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];
        byte[] close = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0];
        return [.. Enumerable.Repeat(open, depth).SelectMany(b => b), .. Enumerable.Repeat(close, depth).SelectMany(b => b)];
    }

    /// <summary>A private UT element of <paramref name="bytes"/> bytes.</summary>
    private static byte[] BigText(int bytes)
    {
        var e = new byte[12 + bytes];
        BinaryPrimitives.WriteUInt16LittleEndian(e, 0x0009);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(2), 0x1011);
        e[4] = (byte)'U';
        e[5] = (byte)'T';
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(8), (uint)bytes);
        e.AsSpan(12).Fill((byte)'x');
        return e;
    }

    /// <summary>Adds to the length of the first item of sequence <paramref name="tag"/> (a defined-length one).</summary>
    private static void AddToItemLength(byte[] file, uint tag, uint more)
    {
        int item = Find(file, tag) + 12;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(item + 4), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(item + 4)) + more);
    }

    private static int Bot(byte[] file) => Find(file, 0x7FE00010) + 12 + 8;

    private static int FirstFragment(byte[] file)
    {
        int bot = Find(file, 0x7FE00010) + 12;
        return bot + 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(bot + 4));
    }

    private static void SwapBotEntries(byte[] file)
    {
        int at = Bot(file);
        uint a = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4)), b = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 4), b);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 8), a);
    }

    private static void AddToBotEntry(byte[] file, int entry, uint more)
    {
        int at = Bot(file) + (entry * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) + more);
    }

    /// <summary>Removes the last fragment item (a series without offset table then has one frame too few).</summary>
    private static void DropLastFragment(Dictionary<string, byte[]> files, string name)
    {
        byte[] file = files[name];
        int at = FirstFragment(file), last = at;
        while (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) == 0xE000FFFE)
        {
            last = at;
            at += 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 4));
        }

        files[name] = [.. file.AsSpan(0, last), .. file.AsSpan(at)];
    }

    /// <summary>Sets the value of the first SL element <paramref name="tag"/> (a plane position).</summary>
    private static void PatchSl(byte[] file, uint tag, int value) => BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(Find(file, tag) + 8), value);
}
