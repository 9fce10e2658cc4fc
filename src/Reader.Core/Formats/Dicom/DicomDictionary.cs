using System.Collections.Frozen;

namespace Reader.Core.Formats.Dicom;

/// <summary>
/// Keywords and VRs of the public DICOM tags a whole-slide image uses (PS3.6; the fact table is in
/// DicomDictionary.Entries.cs, written by make_dictionary.py). OpenSlide names its dicom.* properties by these keywords.
/// </summary>
internal static partial class DicomDictionary
{
    private static readonly Lazy<FrozenDictionary<uint, Entry>> ByTag = new(() => Entries.ToFrozenDictionary(e => e.Tag));

    /// <summary>The keyword of <paramref name="tag"/>, or null for private, group-length and unknown tags.</summary>
    public static string? Keyword(uint tag) => ByTag.Value.TryGetValue(tag, out Entry e) ? e.Keyword : null;

    /// <summary>The VR the dictionary gives <paramref name="tag"/> (implicit-VR data), UN when it does not know it.</summary>
    public static DicomVr Vr(uint tag) => ByTag.Value.TryGetValue(tag, out Entry e) ? e.Vr : DicomVr.UN;

    private static Entry E(uint tag, string vr, string keyword) => new(tag, DicomVrs.Parse(vr), keyword);

    private readonly record struct Entry(uint Tag, DicomVr Vr, string Keyword);
}
