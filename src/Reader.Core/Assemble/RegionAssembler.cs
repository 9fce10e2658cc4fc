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
        int stride = width * format.BytesPerPixel();
        RegionPlan plan = RegionPlan.Of(level.Decoder.Grid, x, y, width, height);
        if (!plan.IsInside)
        {
            PixelCopy.Fill(destination, stride, format, width, height, context.Fill);
        }

        if (plan.IsEmpty)
        {
            return;
        }

        level.Decoder.Prefetch(in plan);
        byte[]? scratch = null;

        // Tiles another thread is decoding are set aside and copied last: threads reading neighbouring
        // patches then decode different tiles at the same time instead of queueing behind each other.
        Span<long> pending = stackalloc long[64];
        int pendingCount = 0;
        try
        {
            for (int r = 0; r < plan.Rows; r++)
            {
                for (int c = 0; c < plan.Columns; c++)
                {
                    bool wait = pendingCount == pending.Length;
                    if (!ReadTile(level, in plan, plan.FirstColumn + c, plan.FirstRow + r, destination, stride, format, in context, wait, ref scratch))
                    {
                        pending[pendingCount++] = ((long)r << 32) | (uint)c;
                    }
                }
            }

            for (int i = 0; i < pendingCount; i++)
            {
                long column = plan.FirstColumn + (pending[i] & 0xFFFFFFFF), row = plan.FirstRow + (pending[i] >> 32);
                ReadTile(level, in plan, column, row, destination, stride, format, in context, wait: true, ref scratch);
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
    private static bool ReadTile(LevelSource level, in RegionPlan plan, long tx, long ty, Span<byte> destination, int stride, PixelFormat format, in ReadContext context, bool wait, ref byte[]? scratch)
    {
        TileDecoder decoder = level.Decoder;
        TileGrid grid = decoder.Grid;
        int tw = grid.TileWidth, th = grid.TileHeight;
        int bpp = format.BytesPerPixel();
        FillColor fill = context.Fill;
        TileCache? cache = context.Cache;
        PixelFormat native = decoder.Encoding.NativeFormat;
        int nativeStride = tw * native.BytesPerPixel();

        TilePart part = plan.Part(grid, tx, ty);
        Span<byte> target = destination.Slice((part.PatchY * stride) + (part.PatchX * bpp));
        int tileOffset = (part.TileY * nativeStride) + (part.TileX * native.BytesPerPixel());
        var key = new TileKey(context.Owner, level.Info.Index, tx, ty);

        bool wholeTile = part.TileX == 0 && part.TileY == 0 && part.Width == tw && part.Height == th;
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
                    CopyOrFill(lease, tileOffset, nativeStride, native, target, stride, format, part.Width, part.Height, fill);
                }

                return true;
            }
        }

        // No cache, or no room in it: decode this tile on our own.
        scratch ??= ArrayPool<byte>.Shared.Rent(nativeStride * th);
        if (!decoder.Decode(tx, ty, scratch, nativeStride, native))
        {
            PixelCopy.Fill(target, stride, format, part.Width, part.Height, fill);
            return true;
        }

        PixelCopy.Copy(scratch.AsSpan(tileOffset), nativeStride, native, target, stride, format, part.Width, part.Height);
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
