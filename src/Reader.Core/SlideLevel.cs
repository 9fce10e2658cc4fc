namespace Reader.Core;

/// <summary>One pyramid level as OpenSlide describes it.</summary>
/// <param name="Index">0 is full resolution.</param>
/// <param name="Width">Width in pixels of this level.</param>
/// <param name="Height">Height in pixels of this level.</param>
/// <param name="Downsample">Level-0 pixels per level pixel: the mean of the width and height ratios, as OpenSlide computes it.</param>
/// <param name="TileWidth">Stored tile width (a strip's width for stripped images).</param>
/// <param name="TileHeight">Stored tile height (rows per strip for stripped images).</param>
/// <param name="Compression">The TIFF compression, e.g. "JPEG".</param>
public sealed record SlideLevel(int Index, long Width, long Height, double Downsample, int TileWidth, int TileHeight, string Compression);
