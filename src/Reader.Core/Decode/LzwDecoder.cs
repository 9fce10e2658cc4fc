namespace Reader.Core.Decode;

/// <summary>
/// TIFF LZW (MSB-first codes, 9 to 12 bits, "early change"). Output stops when the
/// destination is full, so no stream can expand past the tile (decompression bombs).
/// </summary>
internal sealed class LzwDecoder
{
    private const int ClearCode = 256;
    private const int EndCode = 257;
    private const int FirstFree = 258;
    private const int MaxCodes = 4096;

    private readonly short[] prefix = new short[MaxCodes];
    private readonly byte[] suffix = new byte[MaxCodes];
    private readonly byte[] first = new byte[MaxCodes];
    private readonly short[] length = new short[MaxCodes];

    public LzwDecoder()
    {
        for (int i = 0; i < 256; i++)
        {
            prefix[i] = -1;
            suffix[i] = (byte)i;
            first[i] = (byte)i;
            length[i] = 1;
        }
    }

    /// <summary>Decodes into <paramref name="output"/>; returns the bytes written. Throws <see cref="InvalidDataException"/> on corrupt data.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length >= 2 && input[0] == 0 && (input[1] & 1) != 0)
        {
            throw new InvalidDataException("old-style (pre-1991, LSB-first) LZW is not supported");
        }

        int bitPos = 0;
        long totalBits = (long)input.Length * 8;
        int width = 9;
        int next = FirstFree;
        int previous = -1;
        int written = 0;

        while (written < output.Length)
        {
            if (bitPos + width > totalBits)
            {
                break; // data ended without EndCode: tolerated, as libtiff does
            }

            int code = ReadCode(input, bitPos, width);
            bitPos += width;

            if (code == EndCode)
            {
                break;
            }

            if (code == ClearCode)
            {
                width = 9;
                next = FirstFree;
                previous = -1;
                continue;
            }

            if (previous < 0)
            {
                if (code > 255)
                {
                    throw new InvalidDataException($"LZW code {code} after a clear code");
                }

                output[written++] = (byte)code;
                previous = code;
                continue;
            }

            int emit;
            byte firstByte;
            if (code < next)
            {
                emit = code;
                firstByte = first[code];
            }
            else if (code == next)
            {
                emit = -1; // KwKwK: previous string plus its own first byte
                firstByte = first[previous];
            }
            else
            {
                throw new InvalidDataException($"LZW code {code} is beyond the table ({next} entries)");
            }

            if (next < MaxCodes)
            {
                prefix[next] = (short)previous;
                suffix[next] = firstByte;
                first[next] = first[previous];
                length[next] = (short)Math.Min(length[previous] + 1, short.MaxValue);
                next++;
            }

            written = WriteString(emit < 0 ? next - 1 : emit, output, written);

            // Early change: the code width grows one code before the table needs it.
            if (next + 1 >= 1 << width && width < 12)
            {
                width++;
            }

            previous = code;
        }

        // A stream that goes on after filling the tile (anything but EOI next) claims more pixels
        // than the tile holds: a decompression bomb or a wrong tile size, not data to cut short.
        if (written == output.Length && bitPos + width <= totalBits)
        {
            int following = ReadCode(input, bitPos, width);
            if (following != EndCode && following != ClearCode)
            {
                throw new InvalidDataException("LZW data expands beyond the tile");
            }
        }

        return written;
    }

    private int WriteString(int code, Span<byte> output, int at)
    {
        int n = length[code];
        int end = at + n;
        int c = code;
        for (int i = end - 1; i >= at; i--)
        {
            if (i < output.Length)
            {
                output[i] = suffix[c];
            }

            c = prefix[c];
        }

        return Math.Min(end, output.Length);
    }

    private static int ReadCode(ReadOnlySpan<byte> input, int bitPos, int width)
    {
        int byteIndex = bitPos >> 3;
        int value = input[byteIndex] << 16;
        if (byteIndex + 1 < input.Length)
        {
            value |= input[byteIndex + 1] << 8;
        }

        if (byteIndex + 2 < input.Length)
        {
            value |= input[byteIndex + 2];
        }

        int shift = 24 - (bitPos & 7) - width;
        return (value >> shift) & ((1 << width) - 1);
    }
}
