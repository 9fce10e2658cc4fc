using ILGPU;
using Reader.Core.Loader;
using Reader.Gpu.Views;

namespace Reader.Gpu.Kernels;

/// <summary>Sizes of one area-average resample: source and output.</summary>
internal readonly struct ResampleShape(int sourceWidth, int sourceHeight, int channels, int width, int height)
{
    public int SourceWidth { get; } = sourceWidth;

    public int SourceHeight { get; } = sourceHeight;

    public int Channels { get; } = channels;

    public int Width { get; } = width;

    public int Height { get; } = height;
}

/// <summary>One thread per output sample, running <see cref="AreaResampler"/>'s integer body: byte-identical to the CPU.</summary>
internal static class ResampleKernel
{
    public static void Resample(Index1D index, ArrayView<byte> source, ArrayView<byte> output, ResampleShape shape)
    {
        int c = index % shape.Channels;
        int pixel = index / shape.Channels;
        int x = pixel % shape.Width;
        int y = pixel / shape.Width;
        output[index] = AreaResampler.Sample(new DeviceBytes(source), shape.SourceWidth, shape.SourceHeight, shape.Channels, shape.Width, shape.Height, x, y, c);
    }
}
