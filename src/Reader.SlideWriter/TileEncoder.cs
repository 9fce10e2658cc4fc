using System.IO.Compression;
using BitMiracle.LibJpeg.Classic;
using Reader.Native;
using Reader.Native.Jpeg;
using Reader.Native.Jpeg2000;
using Reader.Native.Webp;

namespace Reader.SlideWriter;

/// <summary>Compresses one tile's samples as the spec says; also produces the JPEGTables.</summary>
internal sealed class TileEncoder
{
    private readonly SyntheticSlideSpec spec;
    private readonly bool native;

    public TileEncoder(SyntheticSlideSpec spec)
    {
        this.spec = spec;
        native = !spec.ManagedJpegEncoder && NativeShim.IsAvailable;
    }

    private JpegColorSpace ColorSpace => spec.Color switch
    {
        SlideColor.Gray => JpegColorSpace.Gray,
        SlideColor.RgbCodedJpeg => JpegColorSpace.Rgb,
        _ => JpegColorSpace.YCbCr,
    };

    private (int H, int V) Sampling => spec.Color != SlideColor.Rgb ? (1, 1) : spec.Subsampling switch
    {
        ChromaSubsampling.S420 => (2, 2),
        ChromaSubsampling.S422 => (2, 1),
        ChromaSubsampling.S440 => (1, 2),
        _ => (1, 1),
    };

    /// <summary>The JPEGTables value, or null when tiles carry their own tables.</summary>
    public byte[]? JpegTables()
    {
        if (spec.Compression != SlideCompression.Jpeg || spec.Tables == JpegTablesPlacement.InTile)
        {
            return null;
        }

        int components = spec.Color == SlideColor.Gray ? 1 : 3;
        byte[] tables = native
            ? NativeJpegEncoder.EncodeTables(components, ColorSpace, spec.Quality)
            : ManagedTables(components);
        return spec.Tables == JpegTablesPlacement.Split ? JpegSegments.Without(tables, JpegSegments.Dht) : tables;
    }

    /// <summary>Compresses <paramref name="samples"/> (one tile, or one plane of it when planar).</summary>
    public byte[] Encode(byte[] samples, int width, int height, int samplesPerPixel)
    {
        int rowBytes = width * samplesPerPixel;
        switch (spec.Compression)
        {
            case SlideCompression.Jpeg:
                return EncodeJpeg(samples, width, height, samplesPerPixel);
            case SlideCompression.None:
                return samples;
            case SlideCompression.Jpeg2000Rgb:
                return NativeJpeg2000.Encode(samples, width, height, rowBytes, colorTransform: true, rate: spec.Jpeg2000Rate);
            case SlideCompression.Jpeg2000YCbCr:
                (int sx, int sy) = spec.Subsampling switch
                {
                    ChromaSubsampling.S420 => (2, 2),
                    ChromaSubsampling.S422 => (2, 1),
                    ChromaSubsampling.S440 => (1, 2),
                    _ => (1, 1),
                };
                return NativeJpeg2000.Encode(ToYCbCr(samples), width, height, rowBytes, sx, sy, colorTransform: false, rate: spec.Jpeg2000Rate);
            case SlideCompression.WebP:
                return NativeWebp.Encode(samples, width, height, rowBytes, samplesPerPixel, spec.WebpLossless ? -1 : spec.Quality);
        }

        if (spec.Predictor)
        {
            samples = (byte[])samples.Clone();
            for (int y = 0; y < height; y++)
            {
                Span<byte> row = samples.AsSpan(y * rowBytes, rowBytes);
                for (int i = row.Length - 1; i >= samplesPerPixel; i--)
                {
                    row[i] -= row[i - samplesPerPixel];
                }
            }
        }

        switch (spec.Compression)
        {
            case SlideCompression.Deflate:
                using (var output = new MemoryStream())
                {
                    using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        zlib.Write(samples);
                    }

                    return output.ToArray();
                }

            case SlideCompression.Lzw:
                return LzwEncoder.Encode(samples);
            case SlideCompression.Zstd:
                using (var zstd = new ZstdSharp.Compressor(3))
                {
                    return zstd.Wrap(samples).ToArray();
                }

            case SlideCompression.PackBits:
                return PackBits(samples, rowBytes, height);
            default:
                throw new InvalidOperationException("unknown compression " + spec.Compression);
        }
    }

    /// <summary>JFIF full-range RGB to YCbCr, rounded (what a 33003 writer stores before wavelet coding).</summary>
    private static byte[] ToYCbCr(byte[] rgb)
    {
        var ycc = new byte[rgb.Length];
        for (int i = 0; i + 2 < rgb.Length; i += 3)
        {
            double r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
            ycc[i] = Byte((0.299 * r) + (0.587 * g) + (0.114 * b));
            ycc[i + 1] = Byte(128 - (0.168736 * r) - (0.331264 * g) + (0.5 * b));
            ycc[i + 2] = Byte(128 + (0.5 * r) - (0.418688 * g) - (0.081312 * b));
        }

        return ycc;
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v, MidpointRounding.AwayFromZero), 0, 255);

    private byte[] EncodeJpeg(byte[] samples, int width, int height, int samplesPerPixel)
    {
        (int h, int v) = Sampling;
        bool abbreviated = spec.Tables == JpegTablesPlacement.Shared;
        byte[] jpeg = native
            ? NativeJpegEncoder.Encode(samples, width, height, width * samplesPerPixel, samplesPerPixel, ColorSpace, spec.Quality, h, v, spec.RestartInterval, abbreviated)
            : ManagedEncode(samples, width, height, samplesPerPixel, h, v, abbreviated);
        return spec.Tables == JpegTablesPlacement.Split ? JpegSegments.Without(jpeg, JpegSegments.Dqt) : jpeg;
    }

    private jpeg_compress_struct ManagedSetup(int width, int height, int components, int h, int v, Stream destination)
    {
        var c = new jpeg_compress_struct(new jpeg_error_mgr());
        c.jpeg_stdio_dest(destination);
        c.Image_width = width;
        c.Image_height = height;
        c.Input_components = components;
        c.In_color_space = components == 1 ? J_COLOR_SPACE.JCS_GRAYSCALE : J_COLOR_SPACE.JCS_RGB;
        c.jpeg_set_defaults();
        switch (ColorSpace)
        {
            case JpegColorSpace.Gray:
                c.jpeg_set_colorspace(J_COLOR_SPACE.JCS_GRAYSCALE);
                break;
            case JpegColorSpace.Rgb:
                c.jpeg_set_colorspace(J_COLOR_SPACE.JCS_RGB);
                for (int i = 0; i < 3; i++)
                {
                    c.Component_info[i].Component_id = i;
                    c.Component_info[i].H_samp_factor = 1;
                    c.Component_info[i].V_samp_factor = 1;
                }

                break;
            default:
                c.jpeg_set_colorspace(J_COLOR_SPACE.JCS_YCbCr);
                c.Component_info[0].H_samp_factor = h;
                c.Component_info[0].V_samp_factor = v;
                break;
        }

        c.Write_JFIF_header = false;
        c.Write_Adobe_marker = false;
        c.Restart_interval = spec.RestartInterval;
        c.jpeg_set_quality(spec.Quality, true);
        return c;
    }

    private byte[] ManagedTables(int components)
    {
        using var output = new MemoryStream();
        jpeg_compress_struct c = ManagedSetup(16, 16, components, 1, 1, output);
        c.jpeg_write_tables();
        return output.ToArray();
    }

    private byte[] ManagedEncode(byte[] samples, int width, int height, int components, int h, int v, bool abbreviated)
    {
        using var output = new MemoryStream();
        jpeg_compress_struct c = ManagedSetup(width, height, components, h, v, output);
        if (abbreviated)
        {
            c.jpeg_suppress_tables(true);
        }

        c.jpeg_start_compress(!abbreviated);
        var row = new byte[1][];
        row[0] = new byte[width * components];
        for (int y = 0; y < height; y++)
        {
            Buffer.BlockCopy(samples, y * width * components, row[0], 0, width * components);
            c.jpeg_write_scanlines(row, 1);
        }

        c.jpeg_finish_compress();
        return output.ToArray();
    }

    private static byte[] PackBits(byte[] samples, int rowBytes, int rows)
    {
        var output = new List<byte>(samples.Length);
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<byte> row = samples.AsSpan(y * rowBytes, rowBytes);
            int i = 0;
            while (i < row.Length)
            {
                int run = 1;
                while (i + run < row.Length && run < 128 && row[i + run] == row[i])
                {
                    run++;
                }

                if (run >= 2)
                {
                    output.Add((byte)(sbyte)(1 - run));
                    output.Add(row[i]);
                    i += run;
                    continue;
                }

                int start = i;
                while (i < row.Length && i - start < 128 && (i + 1 >= row.Length || row[i + 1] != row[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    i++;
                }

                output.Add((byte)(i - start - 1));
                foreach (byte b in row[start..i])
                {
                    output.Add(b);
                }
            }
        }

        return [.. output];
    }
}
