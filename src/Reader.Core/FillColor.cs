namespace Reader.Core;

/// <summary>The colour written where a region lies outside the level or a tile is missing.</summary>
public readonly record struct FillColor(byte R, byte G, byte B, byte A)
{
    /// <summary>Transparent black, OpenSlide's out-of-bounds value.</summary>
    public static FillColor Transparent => default;

    /// <summary>Opaque white (cuCIM's choice for Aperio).</summary>
    public static FillColor White => new(255, 255, 255, 255);
}
