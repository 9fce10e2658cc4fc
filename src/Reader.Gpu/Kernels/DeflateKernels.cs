using ILGPU;
using Reader.Core.Decode;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>The per-tile int record of a deflate tile in a batch.</summary>
internal static class DeflateRecord
{
    /// <summary>Its compressed bytes in the batch's data buffer: [InStart, InEnd).</summary>
    public const int InStart = 0;
    public const int InEnd = 1;

    /// <summary>Its visible part (the CPU decoder needs, undoes and converts only those rows and columns).</summary>
    public const int VisibleWidth = 2;
    public const int VisibleHeight = 3;
    public const int Size = 4;
}

/// <summary>The level's sample layout: the same for every deflate tile of a batch.</summary>
internal readonly struct DeflateShape(int tiles, int chunkBytes, int rowBytes, int samplesPerPixel, int predictor, int photometric, int alpha, int alphaSample, SlotShape slots)
{
    public int Tiles { get; } = tiles;

    /// <summary>Decoded bytes of one tile (its samples buffer; more is an error).</summary>
    public int ChunkBytes { get; } = chunkBytes;

    /// <summary>Bytes of one stored row (tile width x samples per pixel).</summary>
    public int RowBytes { get; } = rowBytes;

    public int SamplesPerPixel { get; } = samplesPerPixel;

    public int Predictor { get; } = predictor;

    public int Photometric { get; } = photometric;

    public int Alpha { get; } = alpha;

    public int AlphaSample { get; } = alphaSample;

    public SlotShape Slots { get; } = slots;
}

/// <summary>
/// Deflate tiles on the device (explicitly grouped): inflate, one thread per tile stream (<see cref="Inflater"/>,
/// its Huffman tables in a per-tile scratch of global memory); the horizontal predictor, one thread per row; sample
/// conversion into the tile slots, one thread per pixel. Statuses per tile; the host falls back on failures.
/// </summary>
internal static class DeflateKernels
{
    public static void Inflate(ArrayView<byte> data, ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> scratch, ArrayView<int> status, DeflateShape shape)
    {
        int tile = Grid.GlobalIndex.X;
        if (tile < shape.Tiles)
        {
            InflateTile(tile, data, records, samples, scratch, status, shape);
        }
    }

    public static void Predict(ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> status, DeflateShape shape)
    {
        int row = Grid.GlobalIndex.X;
        if (row < shape.Tiles * shape.Slots.TileHeight)
        {
            PredictRow(row, records, samples, status, shape);
        }
    }

    public static void Convert(ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> status, ArrayView<byte> slots, DeflateShape shape, int pixels)
    {
        int pixel = Grid.GlobalIndex.X;
        if (pixel < pixels)
        {
            ConvertPixel(pixel, records, samples, status, slots, shape);
        }
    }

    public static void InflateTile(int tile, ArrayView<byte> data, ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> scratch, ArrayView<int> status, DeflateShape shape)
    {
        int r = tile * DeflateRecord.Size;
        int result = Inflater.Inflate(
            new DeviceBytes(data), records[r + DeflateRecord.InStart], records[r + DeflateRecord.InEnd], new DeviceBytes(samples), tile * shape.ChunkBytes, shape.ChunkBytes,
            new DeviceInts(scratch), tile * Inflater.ScratchInts, out int written);
        if (result == InflateStatus.Ok && written < shape.RowBytes * records[r + DeflateRecord.VisibleHeight])
        {
            result = InflateStatus.TooShort;
        }

        status[tile] = result;
    }

    public static void PredictRow(int row, ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> status, DeflateShape shape)
    {
        int tile = row / shape.Slots.TileHeight;
        int y = row - (tile * shape.Slots.TileHeight);
        if (shape.Predictor == 2 && status[tile] == InflateStatus.Ok && y < records[(tile * DeflateRecord.Size) + DeflateRecord.VisibleHeight])
        {
            HorizontalPredictor.UndoRow(new DeviceBytes(samples), (tile * shape.ChunkBytes) + (y * shape.RowBytes), shape.Slots.TileWidth, shape.SamplesPerPixel);
        }
    }

    public static void ConvertPixel(int pixel, ArrayView<int> records, ArrayView<byte> samples, ArrayView<int> status, ArrayView<byte> slots, DeflateShape shape)
    {
        SlotShape s = shape.Slots;
        int tilePixels = s.TileWidth * s.TileHeight;
        int tile = pixel / tilePixels;
        int local = pixel - (tile * tilePixels);
        int y = local / s.TileWidth;
        int x = local - (y * s.TileWidth);
        int r = tile * DeflateRecord.Size;
        if (status[tile] != InflateStatus.Ok || x >= records[r + DeflateRecord.VisibleWidth] || y >= records[r + DeflateRecord.VisibleHeight])
        {
            return; // outside the level: never read
        }

        int s0 = (tile * shape.ChunkBytes) + (y * shape.RowBytes) + (x * shape.SamplesPerPixel);
        SampleConverter.ChunkyPixel(new DeviceBytes(samples), s0, shape.Photometric, shape.Alpha, shape.AlphaSample, new DeviceBytes(slots), (int)((tile * s.SlotBytes) + (local * s.BytesPerPixel)), s.BytesPerPixel);
    }
}
