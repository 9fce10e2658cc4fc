namespace Reader.SlideWriter;

/// <summary>TIFF LZW encoder (MSB-first, 9-12 bit codes, early change), as libtiff writes it.</summary>
public static class LzwEncoder
{
    private const int ClearCode = 256;
    private const int EndCode = 257;
    private const int FirstFree = 258;
    private const int MaxCode = 4094;
    private const int HashSize = 1 << 13;

    public static byte[] Encode(ReadOnlySpan<byte> input)
    {
        var output = new BitWriter(input.Length / 2 + 16);
        var keys = new int[HashSize];
        var codes = new short[HashSize];
        int next = FirstFree;
        int width = 9;
        output.Write(ClearCode, width);
        if (input.IsEmpty)
        {
            output.Write(EndCode, width);
            return output.ToArray();
        }

        Array.Fill(keys, -1);
        int prefix = input[0];
        for (int i = 1; i < input.Length; i++)
        {
            int c = input[i];
            int key = (prefix << 8) | c;
            int slot = (int)((uint)(key * 0x9E3779B1) >> 19);
            int found = -1;
            while (keys[slot] != -1)
            {
                if (keys[slot] == key)
                {
                    found = codes[slot];
                    break;
                }

                slot = (slot + 1) & (HashSize - 1);
            }

            if (found >= 0)
            {
                prefix = found;
                continue;
            }

            output.Write(prefix, width);
            keys[slot] = key;
            codes[slot] = (short)next;
            next++;
            Advance(ref next, ref width, output, keys);
            prefix = c;
        }

        output.Write(prefix, width);
        next++;
        Advance(ref next, ref width, output, keys);
        output.Write(EndCode, width);
        return output.ToArray();
    }

    private static void Advance(ref int next, ref int width, BitWriter output, int[] keys)
    {
        if (next == MaxCode)
        {
            output.Write(ClearCode, width);
            Array.Fill(keys, -1);
            next = FirstFree;
            width = 9;
        }
        else if (next > (1 << width) - 1)
        {
            width++;
        }
    }

    private sealed class BitWriter(int capacity)
    {
        private readonly List<byte> bytes = new(capacity);
        private ulong buffer;
        private int bits;

        public void Write(int code, int width)
        {
            buffer = (buffer << width) | (uint)code;
            bits += width;
            while (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        public byte[] ToArray()
        {
            if (bits > 0)
            {
                bytes.Add((byte)(buffer << (8 - bits)));
                bits = 0;
            }

            return [.. bytes];
        }
    }
}
