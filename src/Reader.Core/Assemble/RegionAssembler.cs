using System.Buffers;
using Reader.Core.Decode;
using Reader.Core.Plan;

namespace Reader.Core.Assemble;

/// <summary>
/// Builds a region from tiles: plan the tiles the region touches, decode each (straight into
/// the destination when a whole tile lies inside it), copy the clipped parts, and fill what
/// lies outside the level or in missing tiles.
/// </summary>
internal static class RegionAssembler
{
    /// <summary>Reads level pixels [x, x+width) x [y, y+height) into <paramref name="destination"/>, rows packed.</summary>
    public static void Read(LevelSource level, long x, long y, int width, int height, Span<byte> destination, PixelFormat format, FillColor fill)
    {
        int bpp = format.BytesPerPixel();
        int stride = width * bpp;
        TileDecoder decoder = level.Decoder;
        TileGrid grid = decoder.Grid;

        long x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        long x1 = Math.Min(x + width, grid.ImageWidth), y1 = Math.Min(y + height, grid.ImageHeight);
        bool inside = x0 == x && y0 == y && x1 == x + width && y1 == y + height;
        if (!inside)
        {
            PixelCopy.Fill(destination, stride, format, width, height, fill);
        }

        if (x0 >= x1 || y0 >= y1)
        {
            return;
        }

        int tw = grid.TileWidth, th = grid.TileHeight;
        long tx0 = x0 / tw, tx1 = (x1 - 1) / tw;
        long ty0 = y0 / th, ty1 = (y1 - 1) / th;
        byte[]? scratch = null;
        try
        {
            for (long ty = ty0; ty <= ty1; ty++)
            {
                long tileTop = ty * th;
                long partTop = Math.Max(tileTop, y0), partBottom = Math.Min(tileTop + th, y1);
                for (long tx = tx0; tx <= tx1; tx++)
                {
                    long tileLeft = tx * tw;
                    long partLeft = Math.Max(tileLeft, x0), partRight = Math.Min(tileLeft + tw, x1);
                    int partWidth = (int)(partRight - partLeft), partHeight = (int)(partBottom - partTop);
                    Span<byte> target = destination.Slice((int)((partTop - y) * stride) + ((int)(partLeft - x) * bpp));

                    bool wholeTile = partLeft == tileLeft && partTop == tileTop && partWidth == tw && partHeight == th;
                    if (wholeTile)
                    {
                        // Aligned: decode straight into the caller's buffer, no copy.
                        if (!decoder.Decode(tx, ty, target, stride, format))
                        {
                            PixelCopy.Fill(target, stride, format, tw, th, fill);
                        }

                        continue;
                    }

                    scratch ??= ArrayPool<byte>.Shared.Rent(tw * th * bpp);
                    int tileStride = tw * bpp;
                    if (!decoder.Decode(tx, ty, scratch, tileStride, format))
                    {
                        PixelCopy.Fill(target, stride, format, partWidth, partHeight, fill);
                        continue;
                    }

                    int offset = (int)((partTop - tileTop) * tileStride) + ((int)(partLeft - tileLeft) * bpp);
                    PixelCopy.Copy(scratch.AsSpan(offset), tileStride, format, target, stride, format, partWidth, partHeight);
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }
}
