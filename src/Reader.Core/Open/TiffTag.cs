namespace Reader.Core.Open;

/// <summary>The TIFF tags this reader interprets.</summary>
internal static class TiffTag
{
    public const ushort NewSubfileType = 254;
    public const ushort SubfileType = 255;
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;
    public const ushort Photometric = 262;
    public const ushort DocumentName = 269;
    public const ushort ImageDescription = 270;
    public const ushort Make = 271;
    public const ushort Model = 272;
    public const ushort StripOffsets = 273;
    public const ushort Orientation = 274;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort XResolution = 282;
    public const ushort YResolution = 283;
    public const ushort PlanarConfiguration = 284;
    public const ushort XPosition = 286;
    public const ushort YPosition = 287;
    public const ushort ResolutionUnit = 296;
    public const ushort Software = 305;
    public const ushort DateTime = 306;
    public const ushort Artist = 315;
    public const ushort HostComputer = 316;
    public const ushort Predictor = 317;
    public const ushort ColorMap = 320;
    public const ushort TileWidth = 322;
    public const ushort TileLength = 323;
    public const ushort TileOffsets = 324;
    public const ushort TileByteCounts = 325;
    public const ushort SubIfds = 330;
    public const ushort ExtraSamples = 338;
    public const ushort SampleFormat = 339;
    public const ushort JpegTables = 347;
    public const ushort YCbCrSubsampling = 530;
    public const ushort ReferenceBlackWhite = 532;
    public const ushort Copyright = 33432;
    public const ushort ImageDepth = 32997;
    public const ushort TileDepth = 32998;
    public const ushort IccProfile = 34675;
    public const ushort NdpiFormatFlag = 65420;
    public const ushort NdpiSourceLens = 65421;
    public const ushort NdpiXOffset = 65422;
    public const ushort NdpiYOffset = 65423;
    public const ushort NdpiFocalPlane = 65424;
    public const ushort NdpiMcuStarts = 65426;
    public const ushort NdpiReference = 65427;
    public const ushort NdpiMcuStartsHigh = 65432;
    public const ushort NdpiPropertyMap = 65449;
}

/// <summary>TIFF Compression values.</summary>
internal static class TiffCompression
{
    public const int None = 1;
    public const int Lzw = 5;
    public const int OldJpeg = 6;
    public const int Jpeg = 7;
    public const int AdobeDeflate = 8;
    public const int PackBits = 32773;
    public const int Deflate = 32946;
    public const int AperioJp2kYCbCr = 33003;
    public const int AperioJp2kRgb = 33005;
    public const int Jpeg2000 = 34712;
    public const int ZstdLegacy = 34926;
    public const int Zstd = 50000;
    public const int WebP = 50001;

    public static string NameOf(int code) => code switch
    {
        None => "none",
        Lzw => "LZW",
        OldJpeg => "old-style JPEG",
        Jpeg => "JPEG",
        AdobeDeflate => "deflate",
        Deflate => "deflate (32946)",
        PackBits => "PackBits",
        AperioJp2kYCbCr => "Aperio JPEG 2000 YCbCr",
        AperioJp2kRgb => "Aperio JPEG 2000 RGB",
        Jpeg2000 => "JPEG 2000",
        Zstd or ZstdLegacy => "zstd",
        WebP => "WebP",
        3 => "CCITT G3",
        4 => "CCITT G4",
        2 => "CCITT RLE",
        34887 => "LERC",
        34892 => "lossy JPEG (DNG)",
        50002 => "JPEG XL",
        _ => "code " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>TIFF PhotometricInterpretation values.</summary>
internal static class TiffPhotometric
{
    public const int MinIsWhite = 0;
    public const int MinIsBlack = 1;
    public const int Rgb = 2;
    public const int Palette = 3;
    public const int Mask = 4;
    public const int Separated = 5;
    public const int YCbCr = 6;
    public const int CieLab = 8;

    public static string NameOf(int code) => code switch
    {
        MinIsWhite => "min-is-white",
        MinIsBlack => "min-is-black",
        Rgb => "RGB",
        Palette => "palette",
        Mask => "transparency mask",
        Separated => "separated (CMYK)",
        YCbCr => "YCbCr",
        CieLab => "CIE L*a*b*",
        _ => "code " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>TIFF field types and their sizes.</summary>
internal enum TiffFieldType : ushort
{
    Byte = 1,
    Ascii = 2,
    Short = 3,
    Long = 4,
    Rational = 5,
    SByte = 6,
    Undefined = 7,
    SShort = 8,
    SLong = 9,
    SRational = 10,
    Float = 11,
    Double = 12,
    Ifd = 13,
    Long8 = 16,
    SLong8 = 17,
    Ifd8 = 18,
}

internal static class TiffFieldTypes
{
    /// <summary>Bytes per value, or 0 for a type this reader does not know (such entries are ignored).</summary>
    public static int SizeOf(TiffFieldType type) => type switch
    {
        TiffFieldType.Byte or TiffFieldType.Ascii or TiffFieldType.SByte or TiffFieldType.Undefined => 1,
        TiffFieldType.Short or TiffFieldType.SShort => 2,
        TiffFieldType.Long or TiffFieldType.SLong or TiffFieldType.Float or TiffFieldType.Ifd => 4,
        TiffFieldType.Rational or TiffFieldType.SRational or TiffFieldType.Double
            or TiffFieldType.Long8 or TiffFieldType.SLong8 or TiffFieldType.Ifd8 => 8,
        _ => 0,
    };

    public static bool IsUnsignedInteger(TiffFieldType type) => type is TiffFieldType.Byte or TiffFieldType.Short
        or TiffFieldType.Long or TiffFieldType.Long8 or TiffFieldType.Ifd or TiffFieldType.Ifd8 or TiffFieldType.Undefined;
}
