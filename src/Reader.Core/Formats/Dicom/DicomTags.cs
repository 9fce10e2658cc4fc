namespace Reader.Core.Formats.Dicom;

/// <summary>The tags the DICOM driver reads (group in the high 16 bits).</summary>
internal static class DicomTags
{
    public const uint Item = 0xFFFEE000;
    public const uint ItemDelimitation = 0xFFFEE00D;
    public const uint SequenceDelimitation = 0xFFFEE0DD;

    public const uint MediaStorageSopClassUid = 0x00020002;
    public const uint TransferSyntaxUid = 0x00020010;

    public const uint ImageType = 0x00080008;
    public const uint SopInstanceUid = 0x00080018;
    public const uint SeriesInstanceUid = 0x0020000E;
    public const uint ConcatenationFrameOffsetNumber = 0x00209228;
    public const uint ConcatenationUid = 0x00209161;
    public const uint InConcatenationNumber = 0x00209162;
    public const uint InConcatenationTotalNumber = 0x00209163;
    public const uint DimensionOrganizationType = 0x00209311;
    public const uint SamplesPerPixel = 0x00280002;
    public const uint PhotometricInterpretation = 0x00280004;
    public const uint PlanarConfiguration = 0x00280006;
    public const uint NumberOfFrames = 0x00280008;
    public const uint Rows = 0x00280010;
    public const uint Columns = 0x00280011;
    public const uint BitsAllocated = 0x00280100;
    public const uint BitsStored = 0x00280101;
    public const uint HighBit = 0x00280102;
    public const uint PixelRepresentation = 0x00280103;
    public const uint IccProfile = 0x00282000;
    public const uint TotalPixelMatrixColumns = 0x00480006;
    public const uint TotalPixelMatrixRows = 0x00480007;
    public const uint OpticalPathSequence = 0x00480105;
    public const uint ReferencedImageNavigationSequence = 0x00480200;
    public const uint PlanePositionSlideSequence = 0x0048021A;
    public const uint ColumnPositionInTotalImagePixelMatrix = 0x0048021E;
    public const uint RowPositionInTotalImagePixelMatrix = 0x0048021F;
    public const uint TotalPixelMatrixFocalPlanes = 0x00480303;
    public const uint PerFrameFunctionalGroupsSequence = 0x52009230;
    public const uint ExtendedOffsetTable = 0x7FE00001;
    public const uint ExtendedOffsetTableLengths = 0x7FE00002;
    public const uint FloatPixelData = 0x7FE00008;
    public const uint DoubleFloatPixelData = 0x7FE00009;
    public const uint PixelData = 0x7FE00010;

    public const string WholeSlideImageStorage = "1.2.840.10008.5.1.4.1.1.77.1.6";

    /// <summary>"(gggg,eeee)".</summary>
    public static string Name(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";
}
