using System.Buffers;
using Reader.Core.Cache;
using Reader.Core.Decode;
using Reader.Core.Plan;

namespace Reader.Core.Assemble;

/// <summary>What a read needs besides the level: the cache (if any), whose tiles these are, the fill.</summary>
internal readonly record struct ReadContext(TileCache? Cache, long Owner, FillColor Fill);

/// <summary>
/// Builds a region from tiles: plan the tiles the region touches, take each from the cache or
/// decode it (straight into the destination when a whole tile lies inside the region), copy the
/// clipped parts, and fill what lies outside the level or in missing tiles.
/// </summary>
internal static class RegionAssembler
{
    /// <summary>Reads level pixels [x, x+width) x [y, y+height) into <paramref name="destination"/>, rows packed.</summary>
    public static void Read(LevelSource level, long x, long y, int width, int height, Span<byte> destination, PixelFormat format, in ReadContext context)
    {
        int bpp = format.BytesPerPixel();
        int stride = width * bpp;
        TileDecoder decoder = level.Decoder;
        TileGrid grid = decoder.Grid;
        FillColor fill = context.Fill;

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
        PixelFormat native = decoder.Format.NativeFormat;
        int nativeStride = tw * native.BytesPerPixel();
        TileCache? cache = context.Cache;
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
                    int tileOffset = (int)((partTop - tileTop) * nativeStride) + ((int)(partLeft - tileLeft) * native.BytesPerPixel());
                    var key = new TileKey(context.Owner, level.Info.Index, tx, ty);

                    bool wholeTile = partLeft == tileLeft && partTop == tileTop && partWidth == tw && partHeight == th;
                    if (wholeTile)
                    {
                        // Aligned: a cached copy if there is one, else decode straight into the caller's
                        // buffer and leave the cache alone (copying the tile in would cost ~10% of the
                        // decode, for tiles an aligned scan never reads twice).
                        if (cache is not null && cache.TryGet(key, out TileLease hit))
                        {
                            using (hit)
                            {
                                CopyOrFill(hit, 0, nativeStride, native, target, stride, format, tw, th, fill);
                            }
                        }
                        else if (!decoder.Decode(tx, ty, target, stride, format))
                        {
                            PixelCopy.Fill(target, stride, format, tw, th, fill);
                        }

                        continue;
                    }

                    if (cache is not null && cache.TryGetOrDecode(key, nativeStride * th, (decoder, tx, ty, native), DecodeIntoCache, out TileLease lease))
                    {
                        using (lease)
                        {
                            CopyOrFill(lease, tileOffset, nativeStride, native, target, stride, format, partWidth, partHeight, fill);
                        }

                        continue;
                    }

                    // No cache, or no room in it: decode this tile on our own.
                    scratch ??= ArrayPool<byte>.Shared.Rent(nativeStride * th);
                    if (!decoder.Decode(tx, ty, scratch, nativeStride, native))
                    {
                        PixelCopy.Fill(target, stride, format, partWidth, partHeight, fill);
                        continue;
                    }

                    PixelCopy.Copy(scratch.AsSpan(tileOffset), nativeStride, native, target, stride, format, partWidth, partHeight);
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

    private static bool DecodeIntoCache((TileDecoder Decoder, long Tx, long Ty, PixelFormat Format) s, byte[] buffer)
    {
        return s.Decoder.Decode(s.Tx, s.Ty, buffer, s.Decoder.Grid.TileWidth * s.Format.BytesPerPixel(), s.Format);
    }

    private static void CopyOrFill(in TileLease lease, int offset, int sourceStride, PixelFormat sourceFormat, Span<byte> target, int stride, PixelFormat format, int width, int height, FillColor fill)
    {
        if (lease.Missing)
        {
            PixelCopy.Fill(target, stride, format, width, height, fill);
        }
        else
        {
            PixelCopy.Copy(lease.Pixels[offset..], sourceStride, sourceFormat, target, stride, format, width, height);
        }
    }
}
