using System.Buffers.Binary;

namespace Reader.ToyFormat;

/// <summary>One level of a toy slide to write: its size, tile size, pixels, and tiles to leave out or damage.</summary>
public sealed record ToyLevelSpec(long Width, long Height, int TileWidth, int TileHeight, Func<long, long, (byte R, byte G, byte B)> Pixel)
{
    /// <summary>Tiles written as missing (length 0).</summary>
    public IReadOnlySet<(long Column, long Row)> Missing { get; init; } = new HashSet<(long, long)>();

    /// <summary>Tiles whose data is replaced by a run of length 0 (corrupt).</summary>
    public IReadOnlySet<(long Column, long Row)> Corrupt { get; init; } = new HashSet<(long, long)>();
}

/// <summary>Writes toy slides (see <see cref="ToyFormat"/>). Edge tiles are stored full size, padded with black.</summary>
public static class ToySlideWriter
{
    public static byte[] Write(IReadOnlyList<ToyLevelSpec> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        using var file = new MemoryStream();
        file.Write(ToyFormat.Magic);
        Span<byte> word = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(word, levels.Count);
        file.Write(word[..4]);
        long directory = file.Position;
        file.Write(new byte[levels.Count * 32]);
        for (int i = 0; i < levels.Count; i++)
        {
            ToyLevelSpec level = levels[i];
            long across = (level.Width + level.TileWidth - 1) / level.TileWidth;
            long down = (level.Height + level.TileHeight - 1) / level.TileHeight;
            var table = new byte[across * down * 12];
            for (long row = 0; row < down; row++)
            {
                for (long column = 0; column < across; column++)
                {
                    long t = (row * across) + column;
                    if (level.Missing.Contains((column, row)))
                    {
                        continue;
                    }

                    byte[] data = level.Corrupt.Contains((column, row)) ? [0, 7] : ToyRleCodec.Encode(Samples(level, column, row));
                    BinaryPrimitives.WriteInt64LittleEndian(table.AsSpan((int)(t * 12)), file.Position);
                    BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan((int)(t * 12) + 8), data.Length);
                    file.Write(data);
                }
            }

            long tableOffset = file.Position;
            file.Write(table);
            long end = file.Position;
            file.Position = directory + (i * 32L);
            var entry = new byte[32];
            BinaryPrimitives.WriteInt64LittleEndian(entry, level.Width);
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(8), level.Height);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(16), level.TileWidth);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(20), level.TileHeight);
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(24), tableOffset);
            file.Write(entry);
            file.Position = end;
        }

        return file.ToArray();
    }

    private static byte[] Samples(ToyLevelSpec level, long column, long row)
    {
        var samples = new byte[level.TileWidth * level.TileHeight * 3];
        for (int y = 0; y < level.TileHeight; y++)
        {
            for (int x = 0; x < level.TileWidth; x++)
            {
                long px = (column * level.TileWidth) + x, py = (row * level.TileHeight) + y;
                if (px >= level.Width || py >= level.Height)
                {
                    continue;
                }

                (byte r, byte g, byte b) = level.Pixel(px, py);
                int o = ((y * level.TileWidth) + x) * 3;
                samples[o] = r;
                samples[o + 1] = g;
                samples[o + 2] = b;
            }
        }

        return samples;
    }
}
