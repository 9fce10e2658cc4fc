namespace Reader.Core;

/// <summary>The physical size of a level-0 pixel, in micrometres.</summary>
/// <param name="X">Horizontal (openslide.mpp-x).</param>
/// <param name="Y">Vertical (openslide.mpp-y).</param>
public readonly record struct MicronsPerPixel(double X, double Y);
