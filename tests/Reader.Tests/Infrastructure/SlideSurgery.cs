using Reader.Core;
using Reader.Core.Sources;
using Reader.Core.Formats;
using Reader.Core.Open;

namespace Reader.Tests.Infrastructure;

/// <summary>Byte-level edits of slide files for tests that need a broken tile at a known place.</summary>
internal static class SlideSurgery
{
    /// <summary>The file range of tile (tx, ty) of a level.</summary>
    public static (long Offset, int Length) TileRange(string path, int level, long tx, long ty)
    {
        using SlideSource file = SlideSource.OpenFile(path);
        TiffImage image = SlideFormats.Detect(TiffContainer.Read(file, SlideLimits.Default)).Levels[level];
        Assert.True(image.TryGetChunk(image.Grid.IndexOf(tx, ty), "test", out long offset, out int length));
        return (offset, length);
    }

    /// <summary>Copies a classic little-endian TIFF and sets an inline SHORT tag of IFD 0 to <paramref name="value"/>.</summary>
    public static string WithShortTag(string source, ushort tag, ushort value)
    {
        string path = TestSlides.NewPath("retagged.tif");
        byte[] bytes = File.ReadAllBytes(source);
        int ifd = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        int count = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(ifd));
        for (int i = 0; i < count; i++)
        {
            int entry = ifd + 2 + (i * 12);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(entry)) == tag)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(entry + 8), value);
                File.WriteAllBytes(path, bytes);
                return path;
            }
        }

        throw new InvalidOperationException($"tag {tag} not in IFD 0");
    }

    /// <summary>Copies the slide and overwrites the middle of one tile's data with <paramref name="garbage"/>.</summary>
    public static string WithCorruptTile(string source, int level, long tx, long ty, byte garbage = 0xA5)
    {
        string path = TestSlides.NewPath("corrupt-tile.tif");
        File.Copy(source, path);
        (long offset, int length) = TileRange(path, level, tx, ty);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Position = offset + (length / 3);
        for (int i = 0; i < length / 3; i++)
        {
            stream.WriteByte(garbage);
        }

        return path;
    }
}
