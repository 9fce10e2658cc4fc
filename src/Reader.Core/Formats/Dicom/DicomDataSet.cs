using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Reader.Core.Formats.Dicom;

/// <summary>One data element as read: its tag, VR, value bytes (kept for text, numbers and the ICC profile), or items.</summary>
internal sealed class DicomElement(uint tag, DicomVr vr, byte[]? value, List<DicomDataSet>? items)
{
    public uint Tag { get; } = tag;

    public DicomVr Vr { get; } = vr;

    /// <summary>The value bytes; null for sequences and for binary values the reader skipped.</summary>
    public byte[]? Value { get; } = value;

    /// <summary>The items of a sequence; null for other elements.</summary>
    public List<DicomDataSet>? Items { get; } = items;

    /// <summary>Number of values: 1 for single-text VRs, backslash-separated parts for multi-text, bytes / size for numbers.</summary>
    public int Multiplicity => DicomVrs.ClassOf(Vr) switch
    {
        DicomVrClass.StringSingle => 1,
        DicomVrClass.StringMulti => Text().Count(c => c == '\\') + 1,
        DicomVrClass.Decimal or DicomVrClass.Integer => (Value?.Length ?? 0) / DicomVrs.SizeOf(Vr),
        _ => 0,
    };

    /// <summary>
    /// The text as OpenSlide's DICOM library keeps it: one trailing white-space byte dropped (not for UI), then cut at
    /// the first NUL; decoded as UTF-8.
    /// </summary>
    public string Text()
    {
        ReadOnlySpan<byte> bytes = Value;
        if (bytes.Length > 0 && Vr != DicomVr.UI && bytes[^1] is (byte)' ' or (>= 9 and <= 13))
        {
            bytes = bytes[..^1];
        }

        int nul = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? bytes[..nul] : bytes);
    }

    /// <summary>Text value <paramref name="index"/>, or null.</summary>
    public string? String(int index)
    {
        switch (DicomVrs.ClassOf(Vr))
        {
            case DicomVrClass.StringSingle:
                return index == 0 ? Text() : null;
            case DicomVrClass.StringMulti:
                string[] parts = Text().Split('\\');
                return index >= 0 && index < parts.Length ? parts[index] : null;
            default:
                return null;
        }
    }

    /// <summary>Binary integer value <paramref name="index"/>, or null (text VRs included: OpenSlide reads them as absent).</summary>
    public long? Integer(int index)
    {
        int size = DicomVrs.SizeOf(Vr);
        if (DicomVrs.ClassOf(Vr) != DicomVrClass.Integer || Value is null || index < 0 || index >= Value.Length / size)
        {
            return null;
        }

        ReadOnlySpan<byte> v = Value.AsSpan(index * size, size);
        return Vr switch
        {
            DicomVr.AT or DicomVr.US => BinaryPrimitives.ReadUInt16LittleEndian(v),
            DicomVr.SS => BinaryPrimitives.ReadInt16LittleEndian(v),
            DicomVr.UL => BinaryPrimitives.ReadUInt32LittleEndian(v),
            DicomVr.SL => BinaryPrimitives.ReadInt32LittleEndian(v),
            _ => BinaryPrimitives.ReadInt64LittleEndian(v), // SV, and UV's bits (printed unsigned)
        };
    }

    /// <summary>Binary floating-point value <paramref name="index"/>, or null.</summary>
    public double? Decimal(int index)
    {
        int size = DicomVrs.SizeOf(Vr);
        if (DicomVrs.ClassOf(Vr) != DicomVrClass.Decimal || Value is null || index < 0 || index >= Value.Length / size)
        {
            return null;
        }

        ReadOnlySpan<byte> v = Value.AsSpan(index * size, size);
        return Vr == DicomVr.FL ? BinaryPrimitives.ReadSingleLittleEndian(v) : BinaryPrimitives.ReadDoubleLittleEndian(v);
    }

    /// <summary>Value <paramref name="index"/> as OpenSlide shows it in a dicom.* property, or null when it shows none.</summary>
    public string? Display(int index) => DicomVrs.ClassOf(Vr) switch
    {
        DicomVrClass.StringSingle or DicomVrClass.StringMulti => String(index),
        DicomVrClass.Decimal => Decimal(index) is { } d ? FormatDouble(d) : null,
        DicomVrClass.Integer => Integer(index) is { } i ? (Vr == DicomVr.UV ? ((ulong)i).ToString(CultureInfo.InvariantCulture) : i.ToString(CultureInfo.InvariantCulture)) : null,
        _ => null,
    };

    /// <summary>A double as glib's g_ascii_dtostr writes it (%.17g), which OpenSlide uses for its properties.</summary>
    public static string FormatDouble(double value) =>
        double.IsNaN(value) ? "nan" : double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : TiffProperties.FormatDouble(value);
}

/// <summary>The elements of a data set or sequence item, in file order.</summary>
internal sealed class DicomDataSet
{
    public List<DicomElement> Elements { get; } = [];

    public DicomElement? Find(uint tag)
    {
        foreach (DicomElement e in Elements)
        {
            if (e.Tag == tag)
            {
                return e;
            }
        }

        return null;
    }

    public string? String(uint tag, int index = 0) => Find(tag)?.String(index);

    public long? Integer(uint tag) => Find(tag)?.Integer(0);

    /// <summary>Item <paramref name="index"/> of sequence <paramref name="tag"/>, or null.</summary>
    public DicomDataSet? Item(uint tag, int index = 0) =>
        Find(tag)?.Items is { } items && index >= 0 && index < items.Count ? items[index] : null;
}
