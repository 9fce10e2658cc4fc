using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Reader.Reference.OpenSlide;

/// <summary>
/// The one place where OpenSlide's pixels are converted: premultiplied ARGB, one native-endian
/// <see cref="uint"/> per pixel (A in bits 24-31, R 16-23, G 8-15, B 0-7), to straight
/// (non-premultiplied) RGBA or RGB bytes.
/// </summary>
/// <remarks>
/// Un-premultiplying follows openslide-python's <c>argb2rgba</c> exactly, so results hash the same
/// as its <c>read_region</c>: alpha 255 leaves the colour as it is, alpha 0 gives 0 in every
/// channel, and any other alpha gives <c>c * 255 / a</c> with integer (truncating) division,
/// clamped to 255 (only reachable with invalid input where <c>c &gt; a</c>). Opaque runs take a
/// vector fast path.
/// </remarks>
public static class ArgbConversion
{
    /// <summary>
    /// Converts <paramref name="argb"/> to straight RGBA, 4 bytes a pixel. The two spans may be the
    /// same memory (in-place conversion) but must not otherwise overlap.
    /// </summary>
    public static void ToRgba(ReadOnlySpan<uint> argb, Span<byte> rgba)
    {
        CheckDestination(argb, rgba, 4, nameof(rgba), allowSameStart: true);
        int n = argb.Length;
        int i = 0;
        ref uint source = ref MemoryMarshal.GetReference(argb);
        ref byte destination = ref MemoryMarshal.GetReference(rgba);

        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // Little-endian ARGB is B,G,R,A in memory; RGBA swaps bytes 0 and 2 of every pixel.
            Vector128<byte> shuffle = Vector128.Create((byte)2, 1, 0, 3, 6, 5, 4, 7, 10, 9, 8, 11, 14, 13, 12, 15);
            Vector128<uint> opaque = Vector128.Create(0xFF000000u);
            for (; i <= n - 4; i += 4)
            {
                Vector128<uint> pixels = Vector128.LoadUnsafe(ref source, (nuint)i);
                if ((pixels & opaque) == opaque)
                {
                    Vector128.Shuffle(pixels.AsByte(), shuffle).StoreUnsafe(ref destination, (nuint)i * 4);
                }
                else
                {
                    for (int k = i; k < i + 4; k++)
                    {
                        WriteRgba(Unsafe.Add(ref source, k), ref Unsafe.Add(ref destination, k * 4));
                    }
                }
            }
        }

        for (; i < n; i++)
        {
            WriteRgba(Unsafe.Add(ref source, i), ref Unsafe.Add(ref destination, i * 4));
        }
    }

    /// <summary>
    /// Converts <paramref name="argb"/> to straight RGB, 3 bytes a pixel, dropping alpha after
    /// un-premultiplying (transparent pixels become black). The spans must not overlap.
    /// </summary>
    public static void ToRgb(ReadOnlySpan<uint> argb, Span<byte> rgb)
    {
        CheckDestination(argb, rgb, 3, nameof(rgb), allowSameStart: false);
        int n = argb.Length;
        int i = 0;
        ref uint source = ref MemoryMarshal.GetReference(argb);
        ref byte destination = ref MemoryMarshal.GetReference(rgb);

        if (Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // 4 pixels give 12 bytes; the vector store writes 16, so stop while 16 still fit and
            // let the next group (or the scalar tail) overwrite the 4 spare bytes.
            Vector128<byte> shuffle = Vector128.Create((byte)2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 255, 255, 255, 255);
            Vector128<uint> opaque = Vector128.Create(0xFF000000u);
            for (; i <= n - 4 && (long)i * 3 + 16 <= rgb.Length; i += 4)
            {
                Vector128<uint> pixels = Vector128.LoadUnsafe(ref source, (nuint)i);
                if ((pixels & opaque) == opaque)
                {
                    Vector128.Shuffle(pixels.AsByte(), shuffle).StoreUnsafe(ref destination, (nuint)i * 3);
                }
                else
                {
                    for (int k = i; k < i + 4; k++)
                    {
                        WriteRgb(Unsafe.Add(ref source, k), ref Unsafe.Add(ref destination, k * 3));
                    }
                }
            }
        }

        for (; i < n; i++)
        {
            WriteRgb(Unsafe.Add(ref source, i), ref Unsafe.Add(ref destination, i * 3));
        }
    }

    /// <summary>Converts to a new RGBA array of <c>argb.Length * 4</c> bytes.</summary>
    public static byte[] ToRgba(ReadOnlySpan<uint> argb)
    {
        var rgba = new byte[checked(argb.Length * 4)];
        ToRgba(argb, rgba);
        return rgba;
    }

    /// <summary>Converts to a new RGB array of <c>argb.Length * 3</c> bytes.</summary>
    public static byte[] ToRgb(ReadOnlySpan<uint> argb)
    {
        var rgb = new byte[checked(argb.Length * 3)];
        ToRgb(argb, rgb);
        return rgb;
    }

    /// <summary>
    /// Straight RGBA to premultiplied ARGB the way libtiff's RGBA interface (OpenSlide 3.4's decoder)
    /// premultiplies: <c>(c * a + 127) / 255</c>. Comparing in this space is exact where un-premultiplying
    /// OpenSlide's output would lose precision.
    /// </summary>
    public static void FromRgba(ReadOnlySpan<byte> rgba, Span<uint> argb)
    {
        if (argb.Length * 4 > rgba.Length)
        {
            throw new ArgumentException("source too short", nameof(rgba));
        }

        for (int i = 0; i < argb.Length; i++)
        {
            uint a = rgba[(4 * i) + 3];
            uint r = rgba[4 * i], g = rgba[(4 * i) + 1], b = rgba[(4 * i) + 2];
            if (a != 255)
            {
                r = ((r * a) + 127) / 255;
                g = ((g * a) + 127) / 255;
                b = ((b * a) + 127) / 255;
            }

            argb[i] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }

    /// <summary>Un-premultiplies one channel <paramref name="c"/> of a pixel with alpha <paramref name="a"/>, as openslide-python does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Unpremultiply(byte c, byte a)
    {
        return a switch
        {
            255 => c,
            0 => 0,
            _ => (byte)Math.Min(255u, c * 255u / a),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRgba(uint pixel, ref byte destination)
    {
        byte a = (byte)(pixel >> 24);
        WriteRgb(pixel, ref destination);
        Unsafe.Add(ref destination, 3) = a;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRgb(uint pixel, ref byte destination)
    {
        byte a = (byte)(pixel >> 24);
        byte r = (byte)(pixel >> 16);
        byte g = (byte)(pixel >> 8);
        byte b = (byte)pixel;
        if (a != 255)
        {
            r = Unpremultiply(r, a);
            g = Unpremultiply(g, a);
            b = Unpremultiply(b, a);
        }

        destination = r;
        Unsafe.Add(ref destination, 1) = g;
        Unsafe.Add(ref destination, 2) = b;
    }

    private static void CheckDestination(ReadOnlySpan<uint> argb, Span<byte> destination, int bytesPerPixel, string name, bool allowSameStart)
    {
        if (destination.Length < (long)argb.Length * bytesPerPixel)
        {
            throw new ArgumentException(
                $"the destination holds {destination.Length} bytes; {argb.Length} pixels need {(long)argb.Length * bytesPerPixel}", name);
        }

        if (MemoryMarshal.AsBytes(argb).Overlaps(destination, out int offset) && !(allowSameStart && offset == 0))
        {
            throw new ArgumentException(
                allowSameStart ? "the destination overlaps the source other than exactly in place" : "the destination overlaps the source", name);
        }
    }
}
