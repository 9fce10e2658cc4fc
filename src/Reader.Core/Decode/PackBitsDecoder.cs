namespace Reader.Core.Decode;

/// <summary>PackBits (Macintosh run-length) decoding, bounded by the destination.</summary>
internal static class PackBitsDecoder
{
    public static int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int i = 0, o = 0;
        while (i < input.Length && o < output.Length)
        {
            int n = (sbyte)input[i++];
            if (n >= 0)
            {
                int count = Math.Min(n + 1, Math.Min(input.Length - i, output.Length - o));
                input.Slice(i, count).CopyTo(output[o..]);
                i += n + 1;
                o += count;
            }
            else if (n != -128)
            {
                if (i >= input.Length)
                {
                    break;
                }

                int count = Math.Min(1 - n, output.Length - o);
                output.Slice(o, count).Fill(input[i++]);
                o += count;
            }
        }

        return o;
    }
}
