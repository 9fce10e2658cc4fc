using System.Buffers.Binary;
using Reader.Core;
using Reader.Core.Sources;
using Reader.Core.Formats;
using Reader.Core.Open;
using Reader.Tests.Infrastructure;

namespace Reader.Tests.Gpu;

/// <summary>Raw tiles of a slide, and copies of a slide with one tile's bytes replaced.</summary>
internal static class GpuSurgery
{
    /// <summary>The JPEGTables and the raw bytes of tile (tx, ty) of a level.</summary>
    public static (byte[]? Tables, byte[] Tile) RawTile(string path, int level, long tx, long ty)
    {
        using SlideSource file = SlideSource.OpenFile(path);
        TiffImage image = SlideFormats.Detect(TiffContainer.Read(file, SlideLimits.Default)).Levels[level];
        Assert.True(image.TryGetChunk(image.Grid.IndexOf(tx, ty), "test", out long offset, out int length));
        var tile = new byte[length];
        file.ReadExactly(offset, tile, "test");
        return (image.Directory.GetBytes(TiffTag.JpegTables), tile);
    }

    /// <summary>
    /// Copies a classic little-endian TIFF whose level <paramref name="level"/> is IFD <paramref name="level"/>
    /// (the synthetic writer's generic layout), with tile (tx, ty) replaced by <paramref name="edit"/> of its bytes,
    /// appended at the end of the file.
    /// </summary>
    public static string WithTile(string source, int level, long tx, long ty, Func<byte[], byte[]> edit)
    {
        (_, byte[] old) = RawTile(source, level, tx, ty);
        byte[] replacement = edit(old);
        var bytes = new List<byte>(File.ReadAllBytes(source));
        Assert.True(bytes[0] == (byte)'I' && BinaryPrimitives.ReadUInt16LittleEndian(bytes.ToArray().AsSpan(2)) == 42, "classic little-endian TIFF expected");
        long across;
        using (var slide = Slide.Open(source))
        {
            SlideLevel l = slide.Levels[level];
            across = (l.Width + l.TileWidth - 1) / l.TileWidth;
        }

        uint newOffset = (uint)bytes.Count;
        bytes.AddRange(replacement);
        byte[] file = [.. bytes];
        uint ifd = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4));
        for (int i = 0; i < level; i++)
        {
            int n = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan((int)ifd));
            ifd = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)ifd + 2 + (n * 12)));
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan((int)ifd));
        long index = (ty * across) + tx;
        bool offsets = false, counts = false;
        for (int e = 0; e < count; e++)
        {
            int entry = (int)ifd + 2 + (e * 12);
            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(entry));
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(entry + 2));
            uint values = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(entry + 4));
            int size = type == 3 ? 2 : 4;
            int at = values * size <= 4 ? entry + 8 : (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(entry + 8));
            at += (int)index * size;
            if (tag is 324 or 325)
            {
                uint value = tag == 324 ? newOffset : (uint)replacement.Length;
                if (size == 2)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), (ushort)value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at), value);
                }

                offsets |= tag == 324;
                counts |= tag == 325;
            }
        }

        Assert.True(offsets && counts, "no TileOffsets/TileByteCounts in the IFD");
        string path = TestSlides.NewPath("edited-tile.tif");
        File.WriteAllBytes(path, file);
        return path;
    }

    /// <summary>A COM segment between the scan and EOI: valid JPEG, but the device decoder stops at the marker.</summary>
    public static byte[] CommentAfterScan(byte[] tile)
    {
        Assert.True(tile[^2] == 0xFF && tile[^1] == 0xD9, "tile does not end with EOI");
        return [.. tile[..^2], 0xFF, 0xFE, 0x00, 0x06, (byte)'g', (byte)'p', (byte)'u', (byte)'!', 0xFF, 0xD9];
    }

    /// <summary>The tile with its SOF0 marker changed to <paramref name="marker"/> (e.g. 0xC1 extended sequential, 0xC2 progressive).</summary>
    public static byte[] WithFrameMarker(byte[] tile, byte marker)
    {
        byte[] copy = [.. tile];
        for (int i = 2; i + 1 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] == 0xC0)
            {
                copy[i + 1] = marker;
                return copy;
            }
        }

        Assert.Fail("no SOF0 in the tile");
        return copy;
    }
}
