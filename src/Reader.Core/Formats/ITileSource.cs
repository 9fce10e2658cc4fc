using Reader.Core.Decode;
using Reader.Core.Sources;

namespace Reader.Core.Formats;

/// <summary>
/// One tiled image of a slide (a pyramid level or an associated image) as a format driver lays it out:
/// its size, its tile grid and encoding, and where each tile's bytes lie in the slide's source. The
/// reader fetches those bytes, decodes them with the codec registered for the encoding, and assembles
/// regions; it sees nothing else of the format.
/// </summary>
public interface ITileSource
{
    /// <summary>How messages name the image inside the file ("IFD 3", "frame group 2").</summary>
    string Name { get; }

    /// <summary>Width in pixels.</summary>
    long Width { get; }

    /// <summary>Height in pixels.</summary>
    long Height { get; }

    /// <summary>How tiles are encoded; <see cref="TileEncoding.TileWidth"/> and <see cref="TileEncoding.TileHeight"/> give the grid.</summary>
    TileEncoding Encoding { get; }

    /// <summary>
    /// Writes the byte ranges of tile (<paramref name="column"/>, <paramref name="row"/>) into <paramref name="ranges"/>
    /// (one, or one per sample plane when <see cref="TileEncoding.Planar"/> is 2; room for
    /// <see cref="TileEncoding.MaxSamplesPerPixel"/>) and returns how many; 0 when the tile is missing
    /// (sparse): the reader fills it. Column and row are inside the grid.
    /// </summary>
    int GetTileRanges(long column, long row, Span<ByteRange> ranges);

    /// <summary>
    /// The source this image's tile ranges point into, when it is not the slide's own (a multi-file slide such as a
    /// DICOM series, where each level lives in its own file): null means the slide's source. The slide disposes
    /// such a source with itself.
    /// </summary>
    SlideSource? Source => null;
}
