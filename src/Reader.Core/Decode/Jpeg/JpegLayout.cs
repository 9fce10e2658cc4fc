namespace Reader.Core.Decode.Jpeg;

/// <summary>
/// The integer descriptor of one JPEG tile, filled on the host by <see cref="JpegHeader"/>
/// and read by the decode bodies. A flat int layout so a GPU batch is one int buffer.
/// </summary>
internal static class JpegLayout
{
    public const int ComponentCount = 0;
    public const int ScanComponentCount = 1;
    public const int McusAcross = 2;
    public const int McusDown = 3;
    public const int RestartInterval = 4;
    public const int DataStart = 5;
    public const int DataEnd = 6;
    public const int MaxH = 7;
    public const int MaxV = 8;
    public const int Width = 9;
    public const int Height = 10;
    public const int ColorMode = 11;
    public const int TableSet = 12;
    public const int TotalCoefficients = 13;
    public const int TotalPlaneBytes = 14;

    /// <summary>Written by the entropy decoder: where the marker after the scan starts.</summary>
    public const int ScanEnd = 15;

    /// <summary>Start of the per-component records.</summary>
    public const int ComponentBase = 16;
    public const int ComponentStride = 12;

    // Per component, relative to ComponentBase + c * ComponentStride.
    public const int H = 0;
    public const int V = 1;
    public const int DcTable = 2;
    public const int AcTable = 3;
    public const int QuantTable = 4;
    public const int CoefficientBase = 5;
    public const int BlocksWide = 6;
    public const int BlocksHigh = 7;
    public const int PlaneBase = 8;
    public const int PlaneStride = 9;
    public const int SampledWidth = 10;
    public const int SampledHeight = 11;

    public const int MaxComponents = 4;

    /// <summary>Ints per tile descriptor.</summary>
    public const int Size = ComponentBase + (MaxComponents * ComponentStride);

    // Colour modes.
    public const int ModeGray = 0;
    public const int ModeRgb = 1;
    public const int ModeYCbCr = 2;
    public const int ModeRaw = 3;

    /// <summary>Offset of component <paramref name="c"/>'s field <paramref name="field"/>.</summary>
    public static int Of(int c, int field) => ComponentBase + (c * ComponentStride) + field;
}

/// <summary>Results of the decode bodies; the host turns failures into exceptions.</summary>
internal static class JpegStatus
{
    public const int Ok = 0;
    public const int BadHuffmanCode = 1;
    public const int PrematureEnd = 2;
    public const int ExtraneousData = 3;
    public const int BadRestartMarker = 4;
    public const int MissingEndOfImage = 5;

    /// <summary>The scan ended at a marker other than EOI; the host walks the segments that follow.</summary>
    public const int MarkerAfterScan = 6;

    public static string Describe(int status) => status switch
    {
        Ok => "ok",
        BadHuffmanCode => "corrupt JPEG data: bad Huffman code",
        PrematureEnd => "corrupt JPEG data: premature end of data segment",
        ExtraneousData => "corrupt JPEG data: extraneous bytes before marker",
        BadRestartMarker => "corrupt JPEG data: restart marker missing or out of sequence",
        MissingEndOfImage => "corrupt JPEG data: no EOI marker after the scan",
        MarkerAfterScan => "marker after scan",
        _ => "JPEG decode status " + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The derived Huffman table layout (libjpeg's "derived table" with a 9-bit lookahead).</summary>
internal static class HuffmanLayout
{
    public const int LookaheadBits = 9;
    public const int Lookahead = 0;                         // 512 entries: (length << 8) | symbol, 0 = longer code
    public const int MaxCode = 1 << LookaheadBits;          // 18 entries, index by code length
    public const int ValueOffset = MaxCode + 18;            // 18 entries
    public const int Values = ValueOffset + 18;             // 256 entries
    public const int Stride = Values + 256;

    /// <summary>Tables per set: DC 0-3 then AC 0-3.</summary>
    public const int TablesPerSet = 8;
    public const int SetStride = Stride * TablesPerSet;
}
