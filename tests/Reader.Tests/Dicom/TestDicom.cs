using System.Collections.Concurrent;
using Reader.SlideWriter;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Dicom;

/// <summary>Generated DICOM series, written once per test process (each in its own folder under the test folder).</summary>
internal static class TestDicom
{
    private static readonly ConcurrentDictionary<DicomSeriesSpec, Lazy<string>> Written = new();

    /// <summary>The kinds of series the DICOM tests read, by name.</summary>
    public static readonly Dictionary<string, DicomSeriesSpec> Kinds = new()
    {
        ["jpeg-bot"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Basic },
        ["jpeg-eot"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Extended, Seed = 2 },
        ["jpeg-no-table"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.None, Seed = 3 },
        ["jpeg-rgb"] = new() { Coding = DicomFrameCoding.JpegRgb, OffsetTable = DicomOffsetTable.Basic, Seed = 4 },
        ["uncompressed"] = new() { Coding = DicomFrameCoding.Uncompressed, Seed = 5 },
        ["sparse-jpeg"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Extended, Sparse = true, MissingEvery = 3, Seed = 6 },
        ["sparse-uncompressed"] = new() { Coding = DicomFrameCoding.Uncompressed, Sparse = true, MissingEvery = 4, Seed = 7, Associated = false },
        ["fragments-bot"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Basic, FragmentsPerFrame = 2, Seed = 8 },
        ["concatenation"] = new() { Coding = DicomFrameCoding.Jpeg, OffsetTable = DicomOffsetTable.Basic, ConcatenateLevel0 = true, Seed = 10 },
        ["sparse-concatenation"] = new() { Coding = DicomFrameCoding.Uncompressed, Sparse = true, MissingEvery = 5, ConcatenateLevel0 = true, Seed = 11, Associated = false },
        ["jpeg2000"] = new() { Coding = DicomFrameCoding.Jpeg2000, OffsetTable = DicomOffsetTable.Basic, Seed = 9, IccProfile = false },
    };

    /// <summary>The folder of the series <paramref name="spec"/> describes.</summary>
    public static string Folder(DicomSeriesSpec spec) => Written.GetOrAdd(spec, s => new Lazy<string>(() =>
    {
        string folder = TestSlides.NewPath("dicom");
        DicomSeriesWriter.Write(folder, s);
        return folder;
    })).Value;

    /// <summary>Level 0's file of the series <paramref name="spec"/> describes.</summary>
    public static string Level0(DicomSeriesSpec spec) => Path.Combine(Folder(spec), "level_0.dcm");

    /// <summary>Why a kind cannot be written here (JPEG 2000 without OpenJPEG in the shim), or null.</summary>
    public static string? Missing(DicomSeriesSpec spec) =>
        spec.Coding == DicomFrameCoding.Jpeg2000 && !Reader.Native.Jpeg2000.NativeJpeg2000.IsSupported
            ? "JPEG 2000 needs OpenJPEG in the shim: " + Reader.Native.Jpeg2000.NativeJpeg2000.UnsupportedReason
            : null;
}
