using Reader.Native;
using Reader.Native.Jpeg;

namespace Reader.SlideWriter;

/// <summary>
/// A slide with a full-size tile index whose tiles all point at one shared JPEG tile: a valid TIFF of
/// any geometry (the study's 114,437 tiles) in a few megabytes, for timing what opening costs.
/// </summary>
public static class IndexOnlySlideWriter
{
    public static void Write(string path, long width, long height, int tile)
    {
        var spec = new SyntheticSlideSpec { Width = tile, Height = tile, TileWidth = tile, TileHeight = tile, Levels = 1 };
        var pixels = new byte[tile * tile * 3];
        SyntheticContent.RenderRgb(spec.Seed, 0, 0, 0, tile, tile, pixels, tile * 3);
        byte[] tables = NativeShim.IsAvailable ? NativeJpegEncoder.EncodeTables(3, JpegColorSpace.YCbCr, 95) : throw new InvalidOperationException("needs the native shim");
        byte[] data = NativeJpegEncoder.Encode(pixels, tile, tile, tile * 3, 3, JpegColorSpace.YCbCr, 95, abbreviated: true);
        using var stream = new FileStream(path, FileMode.Create);
        using var tiff = new TiffBuilder(stream, bigTiff: false, bigEndian: false);
        long shared = tiff.WriteData(data);
        for (int level = 0; level < 6; level++)
        {
            long w = (width + (1L << level) - 1) >> level, h = (height + (1L << level) - 1) >> level;
            long count = ((w + tile - 1) / tile) * ((h + tile - 1) / tile);
            var fields = new List<TiffField>
            {
                TiffField.Longs(256, (ulong)w),
                TiffField.Longs(257, (ulong)h),
                TiffField.Shorts(258, 8, 8, 8),
                TiffField.Shorts(259, 7),
                TiffField.Shorts(262, 6),
                TiffField.Shorts(277, 3),
                TiffField.Shorts(322, (ulong)tile),
                TiffField.Shorts(323, (ulong)tile),
                TiffField.Longs(324, Enumerable.Repeat((ulong)shared, (int)count).ToArray()),
                TiffField.Longs(325, Enumerable.Repeat((ulong)data.Length, (int)count).ToArray()),
                TiffField.Undefined(347, tables),
                TiffField.Shorts(530, 2, 2),
            };
            if (level > 0)
            {
                fields.Add(TiffField.Longs(254, 1));
            }

            tiff.AddDirectory(fields);
        }

        tiff.Finish();
    }
}
