namespace Reader.Core.Formats.Dicom;

/// <summary>The value representations of PS3.5 section 6.2.</summary>
internal enum DicomVr : byte
{
    None, AE, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV,
}

/// <summary>How a VR's values are read and shown (the classes OpenSlide's DICOM library gives them).</summary>
internal enum DicomVrClass
{
    /// <summary>One text value, backslashes and all (AS, DA, IS, LO, LT, ST, UR, UT).</summary>
    StringSingle,

    /// <summary>Text values separated by backslashes.</summary>
    StringMulti,

    /// <summary>Binary floating point (FL, FD).</summary>
    Decimal,

    /// <summary>Binary integers (AT as pairs of 16-bit halves, SS, US, SL, UL, SV, UV).</summary>
    Integer,

    /// <summary>Bytes (OB, OW, OF, OD, OL, OV, UN): never shown as properties.</summary>
    Binary,

    /// <summary>A sequence of items.</summary>
    Sequence,
}

/// <summary>Facts about each VR.</summary>
internal static class DicomVrs
{
    private static readonly DicomVr[] ByCode = BuildCodes();

    /// <summary>The VR spelled by two bytes of an explicit-VR header, or None when they spell no VR.</summary>
    public static DicomVr FromBytes(byte a, byte b) =>
        a is >= (byte)'A' and <= (byte)'Z' && b is >= (byte)'A' and <= (byte)'Z' ? ByCode[((a - 'A') * 26) + (b - 'A')] : DicomVr.None;

    /// <summary>The VR named <paramref name="name"/> (the dictionary's spelling).</summary>
    public static DicomVr Parse(string name) => Enum.TryParse(name, out DicomVr vr) ? vr : DicomVr.UN;

    /// <summary>True for the VRs whose explicit header has two reserved bytes and a 32-bit length.</summary>
    public static bool HasLongLength(DicomVr vr) => vr is DicomVr.OB or DicomVr.OD or DicomVr.OF or DicomVr.OL or DicomVr.OV or DicomVr.OW
        or DicomVr.SQ or DicomVr.SV or DicomVr.UC or DicomVr.UN or DicomVr.UR or DicomVr.UT or DicomVr.UV;

    private static DicomVr[] BuildCodes()
    {
        var codes = new DicomVr[26 * 26];
        foreach (DicomVr vr in Enum.GetValues<DicomVr>())
        {
            string name = vr.ToString();
            if (vr != DicomVr.None)
            {
                codes[((name[0] - 'A') * 26) + (name[1] - 'A')] = vr;
            }
        }

        return codes;
    }

    public static DicomVrClass ClassOf(DicomVr vr) => vr switch
    {
        DicomVr.AS or DicomVr.DA or DicomVr.IS or DicomVr.LO or DicomVr.LT or DicomVr.ST or DicomVr.UR or DicomVr.UT => DicomVrClass.StringSingle,
        DicomVr.AE or DicomVr.CS or DicomVr.DS or DicomVr.DT or DicomVr.PN or DicomVr.SH or DicomVr.TM or DicomVr.UI or DicomVr.UC => DicomVrClass.StringMulti,
        DicomVr.FL or DicomVr.FD => DicomVrClass.Decimal,
        DicomVr.AT or DicomVr.SS or DicomVr.US or DicomVr.SL or DicomVr.UL or DicomVr.SV or DicomVr.UV => DicomVrClass.Integer,
        DicomVr.SQ => DicomVrClass.Sequence,
        _ => DicomVrClass.Binary,
    };

    /// <summary>Bytes per value of a binary numeric VR; 0 for the others.</summary>
    public static int SizeOf(DicomVr vr) => vr switch
    {
        DicomVr.AT or DicomVr.SS or DicomVr.US => 2,
        DicomVr.SL or DicomVr.UL or DicomVr.FL => 4,
        DicomVr.SV or DicomVr.UV or DicomVr.FD => 8,
        _ => 0,
    };
}
