using System.Buffers;
using Reader.Core.Cache;
using Reader.Core.Decode;
using Reader.Core.Plan;

namespace Reader.Core.Assemble;

/// <summary>What a read needs besides the level: the cache (if any), whose tiles these are, the fill.</summary>
internal readonly record struct ReadContext(TileCache? Cache, long Owner, FillColor Fill);

/// <summary>The region being assembled: its origin, its in-level part and its row layout.</summary>
internal readonly record struct TilePlan(LevelSource Level, TileGrid Grid, long X, long Y, long X0, long Y0, long X1, long Y1, int Stride, int Bpp);

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
        var plan = new TilePlan(level, grid, x, y, x0, y0, x1, y1, stride, bpp);
        byte[]? scratch = null;

        // Tiles another thread is decoding are set aside and copied last: threads reading neighbouring
        // patches then decode different tiles at the same time instead of queueing behind each other.
        Span<long> pending = stackalloc long[64];
        int pendingCount = 0;
        try
        {
            for (long ty = ty0; ty <= ty1; ty++)
            {
                for (long tx = tx0; tx <= tx1; tx++)
                {
                    bool wait = pendingCount == pending.Length;
                    if (!ReadTile(in plan, tx, ty, destination, format, in context, wait, ref scratch))
                    {
                        pending[pendingCount++] = (ty << 32) | tx;
                    }
                }
            }

            for (int i = 0; i < pendingCount; i++)
            {
                ReadTile(in plan, pending[i] & 0xFFFFFFFF, pending[i] >> 32, destination, format, in context, wait: true, ref scratch);
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

    /// <summary>Copies one tile's part of the region; false when it is pending (being decoded by another thread) and <paramref name="wait"/> is false.</summary>
    private static bool ReadTile(in TilePlan plan, long tx, long ty, Span<byte> destination, PixelFormat format, in ReadContext context, bool wait, ref byte[]? scratch)
    {
        TileDecoder decoder = plan.Level.Decoder;
        int tw = plan.Grid.TileWidth, th = plan.Grid.TileHeight;
        int bpp = plan.Bpp, stride = plan.Stride;
        FillColor fill = context.Fill;
        TileCache? cache = context.Cache;
        PixelFormat native = decoder.Format.NativeFormat;
        int nativeStride = tw * native.BytesPerPixel();

        long tileTop = ty * th, tileLeft = tx * tw;
        long partTop = Math.Max(tileTop, plan.Y0), partBottom = Math.Min(tileTop + th, plan.Y1);
        long partLeft = Math.Max(tileLeft, plan.X0), partRight = Math.Min(tileLeft + tw, plan.X1);
        int partWidth = (int)(partRight - partLeft), partHeight = (int)(partBottom - partTop);
        Span<byte> target = destination.Slice((int)((partTop - plan.Y) * stride) + ((int)(partLeft - plan.X) * bpp));
        int tileOffset = (int)((partTop - tileTop) * nativeStride) + ((int)(partLeft - tileLeft) * native.BytesPerPixel());
        var key = new TileKey(context.Owner, plan.Level.Info.Index, tx, ty);

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

            return true;
        }

        if (cache is not null)
        {
            CacheLookup found = cache.GetOrDecode(key, nativeStride * th, (decoder, tx, ty, native), DecodeIntoCache, wait, out TileLease lease);
            if (found == CacheLookup.Pending)
            {
                return false;
            }

            if (found == CacheLookup.Found)
            {
                using (lease)
                {
                    CopyOrFill(lease, tileOffset, nativeStride, native, target, stride, format, partWidth, partHeight, fill);
                }

                return true;
            }
        }

        // No cache, or no room in it: decode this tile on our own.
        scratch ??= ArrayPool<byte>.Shared.Rent(nativeStride * th);
        if (!decoder.Decode(tx, ty, scratch, nativeStride, native))
        {
            PixelCopy.Fill(target, stride, format, partWidth, partHeight, fill);
            return true;
        }

        PixelCopy.Copy(scratch.AsSpan(tileOffset), nativeStride, native, target, stride, format, partWidth, partHeight);
        return true;
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
