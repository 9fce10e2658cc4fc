using System.IO.Compression;
using Reader.Core;
using Reader.Core.Sources;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Hostile;

/// <summary>Where in the pipeline a case must fail, or that it must not.</summary>
internal enum Stage
{
    /// <summary>Slide.Open throws the expected exception.</summary>
    Open,

    /// <summary>Open succeeds; reading (some level, the properties or the batch API) throws it.</summary>
    Read,

    /// <summary>Open or a read throws a typed SlideException; which one depends on the decoder.</summary>
    Fails,

    /// <summary>Everything succeeds; the optional check defines the output.</summary>
    Clean,
}

internal sealed record Expectation(Stage Stage, Type? Exception = null, string? Fragment = null, Action<Slide, Slide>? Check = null);

/// <summary>One broken file: a base slide, a mutation, and the outcome it must have.</summary>
internal sealed record MangleCase(string Name, string Base, Func<TiffEditor, byte[]> Mutate, Expectation Expect)
{
    public override string ToString() => Name;
}

/// <summary>
/// The mangled-file catalogue: families of corruption applied to generated slides of every codec
/// and to real fixtures, each with its expected outcome. Files are derived at run time into a
/// temporary folder, never committed.
/// </summary>
internal static class MangledCases
{
    public static readonly Dictionary<string, SyntheticSlideSpec> GeneratedBases = new()
    {
        ["jpeg"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 3, Quality = 80 },
        ["jpeg-bigtiff-be"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 2, Quality = 80, BigTiff = true, BigEndian = true },
        ["jpeg-split"] = new() { Width = 500, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Tables = JpegTablesPlacement.Split },
        ["aperio"] = new() { Width = 720, Height = 480, TileWidth = 240, TileHeight = 240, Levels = 2, Color = SlideColor.RgbCodedJpeg, Vendor = SlideVendor.Aperio, Quality = 70 },
        ["subifd"] = new() { Width = 600, Height = 400, TileWidth = 128, TileHeight = 128, Levels = 3, Vendor = SlideVendor.SubIfd },
        ["deflate"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Deflate, Predictor = true },
        ["lzw"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Lzw },
        ["zstd"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Zstd },
        ["none"] = new() { Width = 300, Height = 200, TileWidth = 64, TileHeight = 64, Levels = 2, Compression = SlideCompression.None },
        ["j2k-ycbcr"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Jpeg2000YCbCr, Subsampling = ChromaSubsampling.S420 },
        ["j2k-rgb"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.Jpeg2000Rgb },
        ["webp"] = new() { Width = 400, Height = 300, TileWidth = 128, TileHeight = 128, Levels = 2, Compression = SlideCompression.WebP, Quality = 80 },
    };

    public static readonly string[] FixtureBases = ["CMU-1-Small-Region.svs", "cog_rgb.tif", "openslide-python_boxes.tiff"];

    private static readonly Type Corrupt = typeof(CorruptSlideException);
    private static readonly Type Unsupported = typeof(UnsupportedFormatException);
    private static readonly Type Limit = typeof(SlideLimitException);
    private static readonly Type AnySlide = typeof(SlideException);

    public static bool IsJpeg(string b) => b is "jpeg" or "jpeg-bigtiff-be" or "jpeg-split" or "aperio" or "subifd" or "CMU-1-Small-Region.svs" or "cog_rgb.tif";

    public static bool IsSharedTables(string b) => b is "jpeg" or "jpeg-bigtiff-be" or "aperio" or "subifd" or "CMU-1-Small-Region.svs";

    public static bool IsJpeg2000(string b) => b is "j2k-ycbcr" or "j2k-rgb";

    public static bool IsWebp(string b) => b == "webp";

    /// <summary>Why a generated base cannot be written here (its codec's library is missing from the shim), or null.</summary>
    public static string? CodecMissing(string b) =>
        IsJpeg2000(b) && !Reader.Native.Jpeg2000.NativeJpeg2000.IsSupported ? "JPEG 2000 needs OpenJPEG in the shim: " + Reader.Native.Jpeg2000.NativeJpeg2000.UnsupportedReason
        : IsWebp(b) && !Reader.Native.Webp.NativeWebp.IsSupported ? "WebP needs libwebp in the shim: " + Reader.Native.Webp.NativeWebp.UnsupportedReason
        : null;

    public static bool IsLossless(string b) => b is "deflate" or "lzw" or "zstd" or "none" or "openslide-python_boxes.tiff";

    public static IEnumerable<MangleCase> All()
    {
        foreach (string b in GeneratedBases.Keys.Concat(FixtureBases))
        {
            if (!GeneratedBases.ContainsKey(b) && !FixtureAvailable(b))
            {
                // One placeholder per missing fixture: running it skips loudly (WriteMangled asks for the file).
                yield return Case(b, "(fixture absent)", t => t.Bytes, Fails());
                continue;
            }

            if (CodecMissing(b) is not null)
            {
                // One placeholder per base whose codec library is missing: running it skips loudly (WriteMangled).
                yield return Case(b, "(codec library absent)", t => t.Bytes, Fails());
                continue;
            }

            foreach (MangleCase c in Structural(b))
            {
                yield return c;
            }

            if (IsJpeg(b))
            {
                foreach (MangleCase c in Jpeg(b))
                {
                    yield return c;
                }
            }

            if (IsLossless(b))
            {
                foreach (MangleCase c in Lossless(b))
                {
                    yield return c;
                }
            }

            if (IsJpeg2000(b))
            {
                foreach (MangleCase c in Jpeg2000(b))
                {
                    yield return c;
                }
            }

            if (IsWebp(b))
            {
                foreach (MangleCase c in Webp(b))
                {
                    yield return c;
                }
            }
        }

        foreach (MangleCase c in Layouts())
        {
            yield return c;
        }
    }

    /// <summary>Writes the case's mangled file to a fresh temp path (skipping loudly when its fixture is absent) and returns the path.</summary>
    public static string WriteMangled(MangleCase c)
    {
        if (!GeneratedBases.ContainsKey(c.Base))
        {
            FixtureFiles.Real(c.Base); // skips loudly when the fixtures are absent
        }

        string? missing = CodecMissing(c.Base);
        Assert.SkipWhen(missing is not null, missing ?? string.Empty);

        string path = TestSlides.NewPath("mangled.tif");
        File.WriteAllBytes(path, c.Mutate(new TiffEditor(BaseBytes(c.Base))));
        return path;
    }

    private static bool FixtureAvailable(string name) =>
        FixtureFiles.Directory is { } directory && File.Exists(Path.Combine(directory, "real", name));

    public static byte[] BaseBytes(string b) =>
        File.ReadAllBytes(GeneratedBases.TryGetValue(b, out SyntheticSlideSpec? spec) ? TestSlides.Get(spec) : FixtureFiles.Real(b));

    private static MangleCase Case(string b, string family, Func<TiffEditor, byte[]> mutate, Expectation e) => new($"{b}: {family}", b, mutate, e);

    private static Expectation Open(Type t, string? fragment = null) => new(Stage.Open, t, fragment);

    private static Expectation Read(Type t, string? fragment = null) => new(Stage.Read, t, fragment);

    private static Expectation Fails() => new(Stage.Fails, AnySlide);

    /// <summary>
    /// A damaged tile 0 of IFD 0 fails the first read of it, or the open when IFD 0 is also the smallest level:
    /// openslide.quickhash-1 hashes that level's tiles at open, and OpenSlide fails the open too.
    /// </summary>
    private static Expectation TileZero(string b, Type t, string fragment)
    {
        using Slide slide = Slide.Open(SlideSource.FromMemory(BaseBytes(b)));
        return slide.Levels.Count == 1 && slide.Properties.ContainsKey("openslide.quickhash-1") ? Open(t, fragment) : Read(t, fragment);
    }

    private static IEnumerable<MangleCase> Structural(string b)
    {
        bool big = b == "jpeg-bigtiff-be";
        bool generic = !b.EndsWith(".svs", StringComparison.Ordinal) && b != "aperio";

        // Truncation: the header, the first directory, half the file.
        yield return Case(b, "truncated to 6 bytes", t => t.Bytes[..6], Open(Unsupported, "not a TIFF"));
        yield return Case(b, "truncated header", t => t.Bytes[..(big ? 12 : 7)], Open(big ? Corrupt : Unsupported));
        yield return Case(b, "truncated inside IFD 0", t => t.Bytes[..(int)(t.Directories[0].Offset + 9)], Open(Corrupt));
        yield return Case(b, "truncated to half", t => t.Bytes[..(t.Bytes.Length / 2)], Fails());

        // The directory chain.
        yield return Case(b, "first IFD offset 0", t => Edit(t, e => e.SetFirstDirectory(0)), Open(Corrupt, "no image directory"));
        yield return Case(b, "first IFD beyond EOF", t => Edit(t, e => e.SetFirstDirectory((ulong)e.Bytes.Length + 1000)), Open(Corrupt, "beyond the end"));
        yield return Case(b, "first IFD offset odd (+1)", t => Edit(t, e => e.SetFirstDirectory((ulong)e.Directories[0].Offset + 1)), Fails());
        yield return Case(b, "IFD 0 links to itself", t => Edit(t, e => e.SetNext(0, (ulong)e.Directories[0].Offset)), Open(Corrupt, "directory loop"));
        yield return Case(b, "last IFD links to the first", t => Edit(t, e => e.SetNext(e.Directories.Count - 1, (ulong)e.Directories[0].Offset)), Open(Corrupt, "directory loop"));
        yield return Case(b, "next IFD beyond EOF", t => Edit(t, e => e.SetNext(e.Directories.Count - 1, (ulong)e.Bytes.Length + 77)), Open(Corrupt, "beyond the end"));
        yield return Case(b, "IFD 0 with no entries", t => Edit(t, e => e.SetDirectoryCount(0, 0)), Open(Corrupt, "no entries"));
        yield return Case(b, "IFD 0 claims 60000 entries", t => Edit(t, e => e.SetDirectoryCount(0, 60000)), Open(Corrupt, "claims 60000 entries"));

        // Dimensions and tile sizes.
        yield return Case(b, "width 0", t => Edit(t, e => e.SetScalar(0, 256, 0)), Open(Corrupt, "is empty"));
        yield return Case(b, "tile width 0", t => Edit(t, e => e.SetScalar(0, 322, 0)), Open(Corrupt, "tile size"));
        yield return Case(b, "tile 65535 x 65535", t => Edit(t, e => { e.SetScalar(0, 322, 65535); e.SetScalar(0, 323, 65535); }), Open(Limit, "pixels per tile"));
        yield return Case(b, "tile width 100 (not a multiple of 16)", t => Edit(t, e => e.SetScalar(0, 322, 100)), Fails());
        yield return Case(b, "tile larger than the image", t => Edit(t, e => { e.SetScalar(0, 322, 4096); e.SetScalar(0, 323, 4096); }), Fails());
        if (t0Long(b))
        {
            yield return Case(b, "width 2^31", t => Edit(t, e => e.SetScalar(0, 256, 1UL << 31)), Open(Corrupt, "grid needs"));
            yield return Case(b, "2^40 pixels (2^20 x 2^20)", t => Edit(t, e => { e.SetScalar(0, 256, 1UL << 20); e.SetScalar(0, 257, 1UL << 20); }), Fails());
            yield return Case(b, "width and height 2^32 - 1", t => Edit(t, e => { e.SetScalar(0, 256, uint.MaxValue); e.SetScalar(0, 257, uint.MaxValue); }), Open(Limit, "exceed the limit"));
        }

        // Format tags.
        yield return Case(b, "unknown compression 12345", t => Edit(t, e => e.SetScalar(0, 259, 12345)), Open(Unsupported, "compression code 12345"));
        yield return Case(b, "photometric CMYK", t => Edit(t, e => e.SetScalar(0, 262, 5)), Open(Unsupported, "separated"));
        yield return Case(b, "photometric 99", t => Edit(t, e => e.SetScalar(0, 262, 99)), Open(Unsupported, "photometric"));
        yield return Case(b, "16 bits per sample", t => Edit(t, e => e.WriteElement(e.Find(0, 258), 0, 16)), Open(Unsupported, "16-bit"));
        yield return Case(b, "1 bit per sample", t => Edit(t, e => e.WriteElement(e.Find(0, 258), 0, 1)), Open(Unsupported, "1-bit"));
        yield return Case(b, "0 samples per pixel", t => Edit(t, e => e.SetScalar(0, 277, 0)), Open(Unsupported, "samples per pixel"));
        yield return Case(b, "65535 samples per pixel", t => Edit(t, e => e.SetScalar(0, 277, 65535)), Open(Unsupported, "samples per pixel"));
        if (Has(b, 284))
        {
            yield return Case(b, "planar configuration 3", t => Edit(t, e => e.SetScalar(0, 284, 3)), Open(Corrupt, "PlanarConfiguration"));
        }

        // The tile index.
        yield return Case(b, "tile offsets typed ASCII", t => Edit(t, e => e.SetType(e.Find(0, 324), 2)), Open(Corrupt, "has type"));
        yield return Case(b, "one tile offset for the whole grid", t => Edit(t, e => e.SetCount(e.Find(0, 324), 1)), Open(Corrupt, "grid needs"));
        yield return Case(b, "byte counts claim 2^30 values", t => Edit(t, e => e.SetCount(e.Find(0, 325), 1UL << 30)), Open(Corrupt, "beyond the end"));
        yield return Case(b, "tile 0 offset beyond EOF", t => Edit(t, e => e.WriteElement(e.Find(0, 324), 0, (ulong)e.Bytes.Length + 5)), TileZero(b, Corrupt, "beyond the end"));
        yield return Case(b, "tile 0 offset at the top of the range", t => Edit(t, e => e.WriteElement(e.Find(0, 324), 0, OffsetMax(e))), TileZero(b, Corrupt, "beyond the end"));
        yield return Case(b, "tile 0 byte count past EOF", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, (ulong)e.Bytes.Length)), TileZero(b, Corrupt, "beyond the end"));
        yield return Case(b, "tile 0 byte count 2^31", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 1UL << 31)), Read(Limit, "compressed bytes"));
        yield return Case(b, "tile 0 byte count 0 (sparse)", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 0)), new Expectation(Stage.Clean, Check: MissingTileIsFilled));
        yield return Case(b, "tile 1 shares tile 0's data", t => Edit(t, e => { e.WriteElement(e.Find(0, 324), 1, e.ReadElement(e.Find(0, 324), 0)); e.WriteElement(e.Find(0, 325), 1, e.ReadElement(e.Find(0, 325), 0)); }), new Expectation(Stage.Clean, Check: TileOneEqualsTileZero));

        // Metadata.
        if (Has(b, 270))
        {
            yield return Case(b, "description claims 2^31 bytes", t => Edit(t, e => e.SetCount(e.Find(0, 270), 1UL << 31)), Open(AnySlide));
        }

        if (generic && Has(b, 305))
        {
            yield return Case(b, "every image flagged reduced", t => Edit(t, e => { TiffEditor.Entry s = e.Find(0, 305); e.Write(s.Position, 2, 254); e.SetType(s, 4); e.SetCount(s, 1); e.Write(s.ValueField, 4, 1); }), Open(Unsupported, "no full-resolution image"));
        }
    }

    private static IEnumerable<MangleCase> Jpeg(string b)
    {
        yield return Case(b, "JPEG tile: first segment length 0xFFFF", t => EditTile(t, (data, start, length) => { int p = Segment(data, start, length, 0); WriteU16(data, p + 2, 0xFFFF); }), Read(Corrupt));
        yield return Case(b, "JPEG tile: entropy data replaced by 0xFF", t => EditTile(t, (data, start, length) => data.AsSpan(start + (length / 2), length / 4).Fill(0xFF)), Read(Corrupt));
        yield return Case(b, "JPEG tile: EOI in the middle of the scan", t => EditTile(t, (data, start, length) => { data[start + (length / 2)] = 0xFF; data[start + (length / 2) + 1] = 0xD9; }), Read(Corrupt));
        yield return Case(b, "JPEG tile: SOF width x 8", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xC0); WriteU16(data, p + 7, (data[p + 7] << 8 | data[p + 8]) * 8); }), Read(Corrupt));
        yield return Case(b, "JPEG tile: SOF says 2 components", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xC0); data[p + 9] = 2; }), Read(Corrupt));
        yield return Case(b, "JPEG tile: 12-bit SOF", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xC0); data[p + 4] = 12; }), Fails());
        yield return Case(b, "JPEG tile: progressive SOF2", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xC0); data[p + 1] = 0xC2; }), Fails());
        yield return Case(b, "JPEG tile: SOS spectral selection 1..63", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xDA); int n = data[p + 4]; data[p + 5 + (2 * n)] = 1; }), Read(Corrupt));
        yield return Case(b, "JPEG tile: no SOI", t => EditTile(t, (data, start, _) => data[start] = 0), Read(Corrupt));
        yield return Case(b, "JPEG tile: 1 byte long", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 1)), Read(Corrupt));
        yield return Case(b, "JPEG tile: garbage after EOI", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, e.ReadElement(e.Find(0, 325), 0) + 64)), new Expectation(Stage.Clean, Check: SameAsOriginal));
        if (IsSharedTables(b))
        {
            yield return Case(b, "JPEGTables removed", t => Edit(t, e => e.Remove(0, 347)), Read(Corrupt, "not defined"));
            yield return Case(b, "JPEGTables cut to a third", t => Edit(t, e => e.SetCount(e.Find(0, 347), (ulong)(e.Find(0, 347).Count / 3))), Read(Corrupt));
            yield return Case(b, "JPEGTables DHT with impossible counts", t => Edit(t, e => { long at = e.ValuePosition(e.Find(0, 347)); int p = Marker(e.Bytes, (int)at, (int)e.Find(0, 347).Count, 0xC4); e.Bytes.AsSpan(p + 5, 16).Fill(0xFF); }), Read(Corrupt, "DHT"));
        }

        if (b == "jpeg-split" || b == "cog_rgb.tif")
        {
            yield return Case(b, "JPEGTables (quantisation only) removed", t => Edit(t, e => e.Remove(0, 347)), Read(Corrupt, "quantization table"));
            yield return Case(b, "tile DHT with impossible counts", t => EditTile(t, (data, start, length) => { int p = Marker(data, start, length, 0xC4); data.AsSpan(p + 5, 16).Fill(0xFF); }), Read(Corrupt, "DHT"));
        }
    }

    /// <summary>
    /// J2K codestream damage that OpenJPEG must notice (header fields, truncation to nothing, garbage from the start)
    /// and tag edits the codec's acceptance rules answer. Offsets are the SIZ segment's: SOC 0, SIZ 2, Xsiz 8,
    /// Ysiz 12, Csiz 40, Ssiz of component 0 at 42.
    /// </summary>
    private static IEnumerable<MangleCase> Jpeg2000(string b)
    {
        yield return Case(b, "J2K tile: SOC marker zeroed", t => EditTile(t, (data, start, _) => data[start + 1] = 0), Read(Corrupt, "JPEG 2000"));
        yield return Case(b, "J2K tile: SIZ width x 8", t => EditTile(t, (data, start, _) => WriteU32(data, start + 8, ReadU32(data, start + 8) * 8)), Read(Corrupt, "larger than the 128x128 tile"));
        yield return Case(b, "J2K tile: SIZ height 100000", t => EditTile(t, (data, start, _) => WriteU32(data, start + 12, 100000)), Read(Corrupt, "larger than"));
        yield return Case(b, "J2K tile: SIZ 16-bit component", t => EditTile(t, (data, start, _) => data[start + 42] = 15), Read(Unsupported, "8-bit expected"));
        yield return Case(b, "J2K tile: SIZ signed component", t => EditTile(t, (data, start, _) => data[start + 42] = 0x87), Read(Unsupported, "signed"));
        yield return Case(b, "J2K tile: SIZ codestream tiles 1x1 (an allocation bomb)", t => EditTile(t, (data, start, _) => { WriteU32(data, start + 24, 1); WriteU32(data, start + 28, 1); }), Read(Unsupported, "codestream is cut into"));
        yield return Case(b, "J2K tile: SIZ says 4 components", t => EditTile(t, (data, start, _) => WriteU16(data, start + 40, 4)), Read(Unsupported, "4 components, 3 expected"));
        yield return Case(b, "J2K tile: SIZ image offset past its end", t => EditTile(t, (data, start, _) => WriteU32(data, start + 16, ReadU32(data, start + 8) + 1)), Read(Corrupt, "invalid SIZ"));
        yield return Case(b, "J2K tile: SIZ Lsiz 0xFFFF", t => EditTile(t, (data, start, _) => WriteU16(data, start + 4, 0xFFFF)), Read(Corrupt, "JPEG 2000"));
        yield return Case(b, "J2K tile: data replaced by garbage", t => EditTile(t, (data, start, length) => Garbage(data.AsSpan(start, length))), Read(Corrupt, "JPEG 2000"));
        yield return Case(b, "J2K tile: 10 bytes long", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 10)), Read(Corrupt, "JPEG 2000"));
        yield return Case(b, "J2K tile: cut to its main header and a little", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 120)), Fails());
        yield return Case(b, "J2K tile: garbage after the codestream", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, e.ReadElement(e.Find(0, 325), 0) + 64)), new Expectation(Stage.Clean, Check: SameAsOriginal)); // OpenJPEG stops at EOC
        yield return Case(b, "J2K: photometric min-is-black", t => Edit(t, e => e.SetScalar(0, 262, 1)), Open(Unsupported, "JPEG 2000"));
        yield return Case(b, "J2K: 4 samples per pixel", t => Edit(t, e => e.SetScalar(0, 277, 4)), Open(AnySlide));
        yield return Case(b, "J2K: compression 33003 <-> 33005 swapped", t => Edit(t, e => e.SetScalar(0, 259, b == "j2k-rgb" ? 33003UL : 33005UL)), new Expectation(Stage.Clean));
    }

    /// <summary>WebP damage libwebp must notice (RIFF header, VP8 frame size, truncation) and tag edits the codec answers.</summary>
    private static IEnumerable<MangleCase> Webp(string b)
    {
        yield return Case(b, "WebP tile: RIFF magic zeroed", t => EditTile(t, (data, start, _) => data[start] = 0), Read(Corrupt, "not a WebP"));
        yield return Case(b, "WebP tile: WEBP tag zeroed", t => EditTile(t, (data, start, _) => data[start + 8] = 0), Read(Corrupt, "not a WebP"));
        yield return Case(b, "WebP tile: VP8 frame width 1000", t => EditTile(t, (data, start, _) => { data[start + 26] = 1000 & 0xFF; data[start + 27] = 1000 >> 8; }), Read(Corrupt, "larger than the 128x128 tile"));
        yield return Case(b, "WebP tile: VP8 frame width 8", t => EditTile(t, (data, start, _) => { data[start + 26] = 8; data[start + 27] = 0; }), Read(Corrupt, "WebP"));
        yield return Case(b, "WebP tile: data replaced by garbage", t => EditTile(t, (data, start, length) => Garbage(data.AsSpan(start, length))), Read(Corrupt, "WebP"));
        yield return Case(b, "WebP tile: 10 bytes long", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 10)), Read(Corrupt, "WebP"));
        yield return Case(b, "WebP tile: cut in half", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, e.ReadElement(e.Find(0, 325), 0) / 2)), Read(Corrupt, "WebP"));
        yield return Case(b, "WebP: photometric YCbCr", t => Edit(t, e => e.SetScalar(0, 262, 6)), Open(Unsupported, "YCbCr"));
        yield return Case(b, "WebP: photometric min-is-black", t => Edit(t, e => e.SetScalar(0, 262, 1)), Open(Unsupported, "WebP"));
        yield return Case(b, "WebP: 4 samples per pixel, tiles RGB", t => Edit(t, e => e.SetScalar(0, 277, 4)), new Expectation(Stage.Clean, Check: SameAsOriginal)); // libwebp gives an RGB WebP alpha 255; without ExtraSamples it is no alpha anyway
    }

    private static uint ReadU32(byte[] data, int at) => (uint)((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]);

    private static void WriteU32(byte[] data, int at, uint value)
    {
        data[at] = (byte)(value >> 24);
        data[at + 1] = (byte)(value >> 16);
        data[at + 2] = (byte)(value >> 8);
        data[at + 3] = (byte)value;
    }

    private static IEnumerable<MangleCase> Lossless(string b)
    {
        string codec = b switch { "lzw" => "LZW", "zstd" => "zstd", "none" => "none", _ => "deflate" };
        if (codec != "none")
        {
            yield return Case(b, $"{codec} tile: data replaced by garbage", t => EditTile(t, (data, start, length) => Garbage(data.AsSpan(start, length))), Read(Corrupt, codec));
            if (GeneratedBases.ContainsKey(b))
            {
                // Generated tiles are large enough to hold the bomb's ~10 KB.
                yield return Case(b, $"{codec} tile: a bomb (10 MiB in one tile)", t => ReplaceTile(t, Bomb(codec)), Read(Corrupt, "beyond the tile"));
            }

            if (codec == "deflate")
            {
                // Found by the fuzzer: zlib's "needs a preset dictionary" came out of .NET's ZLibStream as an untyped ZLibException.
                yield return Case(b, "deflate tile: zlib header asks for a preset dictionary", t => EditTile(t, (data, start, length) => { data[start] = 0x78; data[start + 1] = 0xBB; }), Read(Corrupt, "deflate"));
            }
        }

        yield return Case(b, $"{codec} tile: 10 bytes long", t => Edit(t, e => e.WriteElement(e.Find(0, 325), 0, 10)), Read(Corrupt));
        if (Has(b, 317))
        {
            yield return Case(b, "floating-point predictor", t => Edit(t, e => e.SetScalar(0, 317, 3)), Open(Unsupported, "predictor"));
        }

        yield return Case(b, "predictor on 16-bit data", t => Edit(t, e => e.WriteElement(e.Find(0, 258), 0, 16)), Open(Unsupported, "16-bit"));
    }

    private static IEnumerable<MangleCase> Layouts()
    {
        yield return Case("subifd", "SubIFD links to itself", t => Edit(t, e => { long sub = (long)e.ReadElement(e.Find(0, 330), 0); SetNextAt(e, sub, (ulong)sub); }), new Expectation(Stage.Clean, Check: SameAsOriginal));
        yield return Case("subifd", "SubIFD points back at IFD 0", t => Edit(t, e => e.WriteElement(e.Find(0, 330), 0, (ulong)e.Directories[0].Offset)), new Expectation(Stage.Clean));
        yield return Case("subifd", "SubIFD offset beyond EOF", t => Edit(t, e => e.WriteElement(e.Find(0, 330), 0, (ulong)e.Bytes.Length + 10)), Open(Corrupt, "beyond the end"));
        yield return Case("subifd", "SubIFDs typed ASCII", t => Edit(t, e => e.SetType(e.Find(0, 330), 2)), Open(Corrupt, "integer type"));
        yield return Case("aperio", "thumbnail RowsPerStrip 0", t => Edit(t, e => e.SetScalar(1, 278, 0)), Open(Corrupt, "RowsPerStrip"));
        yield return Case("aperio", "thumbnail strip beyond EOF", t => Edit(t, e => e.WriteElement(e.Find(1, 273), 0, (ulong)e.Bytes.Length + 9)), Read(Corrupt, "beyond the end"));
    }

    private static bool Has(string b, ushort tag) => new TiffEditor(BaseBytes(b)).Has(0, tag);

    /// <summary>True when ImageWidth is a LONG (a SHORT cannot hold the absurd sizes).</summary>
    private static bool t0Long(string b)
    {
        var t = new TiffEditor(BaseBytes(b));
        return t.Find(0, 256).Type == 4 && t.Find(0, 257).Type == 4;
    }

    private static ulong OffsetMax(TiffEditor e) => e.Find(0, 324).Type == 16 ? ulong.MaxValue : uint.MaxValue;

    private static byte[] Edit(TiffEditor t, Action<TiffEditor> change)
    {
        change(t);
        return t.Bytes;
    }

    private static byte[] EditTile(TiffEditor t, Action<byte[], int, int> change)
    {
        (long offset, long length) = t.Tile(0, 0);
        change(t.Bytes, (int)offset, (int)length);
        return t.Bytes;
    }

    private static byte[] ReplaceTile(TiffEditor t, byte[] data)
    {
        (long offset, long length) = t.Tile(0, 0);
        Assert.True(data.Length <= length, $"bomb of {data.Length} bytes does not fit tile 0 ({length})");
        data.CopyTo(t.Bytes, (int)offset);
        t.WriteElement(t.Find(0, 325), 0, (ulong)data.Length);
        return t.Bytes;
    }

    private static byte[] Bomb(string codec)
    {
        byte[] zeros = new byte[10 << 20];
        switch (codec)
        {
            case "LZW":
                return LzwEncoder.Encode(zeros);
            case "zstd":
                using (var zstd = new ZstdSharp.Compressor(19))
                {
                    return zstd.Wrap(zeros).ToArray();
                }

            default:
                using (var output = new MemoryStream())
                {
                    using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
                    {
                        zlib.Write(zeros);
                    }

                    return output.ToArray();
                }
        }
    }

    private static void Garbage(Span<byte> data)
    {
        // Deterministic, and no valid code start for any of the codecs: 0xFF first (LZW code 511 after a
        // clear is invalid; a zlib header of FF fails its check; zstd's magic is absent).
        uint x = 0x9E3779B9;
        for (int i = 0; i < data.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data[i] = i < 4 ? (byte)0xFF : (byte)x;
        }
    }

    /// <summary>Position of the n-th marker segment after SOI (skipping APPn/COM is not needed for our tiles).</summary>
    private static int Segment(byte[] data, int start, int length, int n)
    {
        int p = start + 2;
        for (int i = 0; i < n; i++)
        {
            p += 2 + ((data[p + 2] << 8) | data[p + 3]);
        }

        Assert.True(p < start + length && data[p] == 0xFF, "segment walk went astray");
        return p;
    }

    /// <summary>Position of the first segment with this marker (SOF0 accepts SOF1 too).</summary>
    private static int Marker(byte[] data, int start, int length, byte marker)
    {
        int p = start + 2;
        while (p + 4 < start + length)
        {
            Assert.Equal(0xFF, data[p]);
            byte m = data[p + 1];
            if (m == marker || (marker == 0xC0 && m == 0xC1))
            {
                return p;
            }

            if (m == 0xD9)
            {
                break;
            }

            p += 2 + ((data[p + 2] << 8) | data[p + 3]);
        }

        throw new InvalidOperationException($"marker {marker:X2} not found");
    }

    private static void WriteU16(byte[] data, int at, int value)
    {
        data[at] = (byte)(value >> 8);
        data[at + 1] = (byte)value;
    }

    private static void SetNextAt(TiffEditor e, long ifdOffset, ulong next)
    {
        long count = e.BigTiff ? (long)e.ReadOffset(ifdOffset) : BitConverter.ToUInt16(e.BigEndian ? [e.Bytes[ifdOffset + 1], e.Bytes[ifdOffset]] : [e.Bytes[ifdOffset], e.Bytes[ifdOffset + 1]]);
        long pointer = ifdOffset + (e.BigTiff ? 8 : 2) + (count * (e.BigTiff ? 20 : 12));
        e.Write(pointer, e.OffsetSize, next);
    }

    private static void MissingTileIsFilled(Slide mangled, Slide original)
    {
        SlideLevel l = mangled.Levels[0];
        int w = Math.Min(l.TileWidth, 32), h = Math.Min(l.TileHeight, 32);
        Assert.All(mangled.ReadRegion(0, 0, 0, w, h, PixelFormat.Rgba32), v => Assert.Equal(0, v)); // transparent, as OpenSlide
        Assert.Equal(original.ReadRegion(l.TileWidth, 0, 0, w, h), mangled.ReadRegion(l.TileWidth, 0, 0, w, h)); // neighbours intact
    }

    private static void TileOneEqualsTileZero(Slide mangled, Slide original)
    {
        SlideLevel l = mangled.Levels[0];
        int w = (int)Math.Min(l.TileWidth, l.Width - l.TileWidth), h = (int)Math.Min(l.TileHeight, l.Height);
        Assert.Equal(original.ReadRegion(0, 0, 0, w, h), mangled.ReadRegion(l.TileWidth, 0, 0, w, h));
    }

    private static void SameAsOriginal(Slide mangled, Slide original)
    {
        SlideLevel l = mangled.Levels[0];
        int w = (int)Math.Min(l.Width, 300), h = (int)Math.Min(l.Height, 300);
        Assert.Equal(original.ReadRegion(0, 0, 0, w, h), mangled.ReadRegion(0, 0, 0, w, h));
    }
}
