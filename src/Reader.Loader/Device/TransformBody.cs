using ILGPU;
using ILGPU.Runtime;

namespace Reader.Loader;

/// <summary>The sizes and per-channel constants of one batch transform (mean and 1/std pre-scaled to 0-255).</summary>
internal readonly struct TransformShape(int count, int height, int width, int channels, float m0, float m1, float m2, float m3, float k0, float k1, float k2, float k3)
{
    public int Count { get; } = count;

    public int Height { get; } = height;

    public int Width { get; } = width;

    public int Channels { get; } = channels;

    public float M0 { get; } = m0;

    public float M1 { get; } = m1;

    public float M2 { get; } = m2;

    public float M3 { get; } = m3;

    public float K0 { get; } = k0;

    public float K1 { get; } = k1;

    public float K2 { get; } = k2;

    public float K3 { get; } = k3;
}

/// <summary>
/// One output element of the batch transform, shared by the host reference and the kernel. The arithmetic is a
/// subtraction then a multiplication ((v - 255 mean) * 1 / (255 std)): no form a compiler could fuse into a
/// multiply-add, so the device rounds exactly as the host.
/// </summary>
internal static class TransformBody
{
    // Output (x, y) of a patch takes source pixel SourceOf(...): quarter turns clockwise, then the flips.
    public static int SourceIndex(int code, int width, int height, int x, int y)
    {
        if ((code & 1) != 0)
        {
            x = width - 1 - x;
        }

        if ((code & 2) != 0)
        {
            y = height - 1 - y;
        }

        int turns = (code >> 2) & 3;
        int sx = x, sy = y;
        if (turns == 1)
        {
            sx = y;
            sy = width - 1 - x;
        }
        else if (turns == 2)
        {
            sx = width - 1 - x;
            sy = height - 1 - y;
        }
        else if (turns == 3)
        {
            sx = height - 1 - y;
            sy = x;
        }

        return (sy * width) + sx;
    }

    // Float output: element i of N x C x H x W.
    public static float FloatAt(ReadOnlySpan<byte> input, ReadOnlySpan<int> codes, TransformShape s, long i)
    {
        int x = (int)(i % s.Width);
        long rest = i / s.Width;
        int y = (int)(rest % s.Height);
        rest /= s.Height;
        int c = (int)(rest % s.Channels);
        int n = (int)(rest / s.Channels);
        long source = ((((long)n * s.Height * s.Width) + SourceIndex(codes[n], s.Width, s.Height, x, y)) * s.Channels) + c;
        return Normalise(input[(int)source], c, s);
    }

    // Byte output: element i of N x H x W x C.
    public static byte ByteAt(ReadOnlySpan<byte> input, ReadOnlySpan<int> codes, TransformShape s, long i)
    {
        int c = (int)(i % s.Channels);
        long pixel = i / s.Channels;
        int x = (int)(pixel % s.Width);
        long rest = pixel / s.Width;
        int y = (int)(rest % s.Height);
        int n = (int)(rest / s.Height);
        return input[(int)(((((long)n * s.Height * s.Width) + SourceIndex(codes[n], s.Width, s.Height, x, y)) * s.Channels) + c)];
    }

    public static float Normalise(byte value, int c, TransformShape s)
    {
        float m = c == 0 ? s.M0 : c == 1 ? s.M1 : c == 2 ? s.M2 : s.M3;
        float k = c == 0 ? s.K0 : c == 1 ? s.K1 : c == 2 ? s.K2 : s.K3;
        return (value - m) * k;
    }

    public static void FloatKernel(Index1D i, ArrayView<byte> input, ArrayView<int> codes, ArrayView<float> output, TransformShape s)
    {
        int x = i % s.Width;
        int rest = i / s.Width;
        int y = rest % s.Height;
        rest /= s.Height;
        int c = rest % s.Channels;
        int n = rest / s.Channels;
        int source = (((n * s.Height * s.Width) + SourceIndex(codes[n], s.Width, s.Height, x, y)) * s.Channels) + c;
        output[i] = Normalise(input[source], c, s);
    }

    public static void ByteKernel(Index1D i, ArrayView<byte> input, ArrayView<int> codes, ArrayView<byte> output, TransformShape s)
    {
        int c = i % s.Channels;
        int pixel = i / s.Channels;
        int x = pixel % s.Width;
        int rest = pixel / s.Width;
        int y = rest % s.Height;
        int n = rest / s.Height;
        output[i] = input[(((n * s.Height * s.Width) + SourceIndex(codes[n], s.Width, s.Height, x, y)) * s.Channels) + c];
    }
}
