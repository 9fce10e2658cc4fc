using Reader.Native;
using Reader.Native.Jpeg;
using StbImageWriteSharp;

namespace Reader.Tiling;

/// <summary>RGB pixels to JPEG (libjpeg-turbo, 4:2:0) or PNG. JPEG never silently becomes another encoder: output must not depend on the machine.</summary>
internal sealed class PatchEncoder
{
    private readonly PatchEncoding encoding;
    private readonly int quality;

    public PatchEncoder(PatchEncoding encoding, int quality)
    {
        if (encoding == PatchEncoding.Jpeg && !NativeShim.IsAvailable)
        {
            throw new InvalidOperationException("JPEG patches need the native shim (libjpeg-turbo): " + NativeShim.UnavailableReason + "; use PNG instead");
        }

        this.encoding = encoding;
        this.quality = quality;
    }

    /// <summary>The WebDataset member extension (what its default decoders recognise).</summary>
    public string Extension => encoding == PatchEncoding.Jpeg ? "jpg" : "png";

    /// <summary>The DeepZoom Format attribute and tile extension (as OpenSlide's deepzoom and vips dzsave write it).</summary>
    public string DziFormat => encoding == PatchEncoding.Jpeg ? "jpeg" : "png";

    public byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (encoding == PatchEncoding.Jpeg)
        {
            return NativeJpegEncoder.Encode(rgb, width, height, width * 3, 3, JpegColorSpace.YCbCr, quality);
        }

        using var png = new MemoryStream();
        new ImageWriter().WritePng(rgb.ToArray(), width, height, ColorComponents.RedGreenBlue, png); // its API takes arrays

        return png.ToArray();
    }
}
