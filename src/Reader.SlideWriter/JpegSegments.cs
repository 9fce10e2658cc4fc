namespace Reader.SlideWriter;

/// <summary>Removes marker segments from a JPEG stream (to split tables between JPEGTables and tiles).</summary>
public static class JpegSegments
{
    public const byte Dqt = 0xDB;
    public const byte Dht = 0xC4;

    /// <summary>A copy of <paramref name="jpeg"/> without any segment whose marker is in <paramref name="markers"/>.</summary>
    public static byte[] Without(ReadOnlySpan<byte> jpeg, params byte[] markers)
    {
        var result = new List<byte>(jpeg.Length) { jpeg[0], jpeg[1] }; // SOI
        int pos = 2;
        while (pos + 4 <= jpeg.Length)
        {
            byte marker = jpeg[pos + 1];
            if (marker == 0xD9)
            {
                break; // EOI of a tables-only stream
            }

            int length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
            if (marker == 0xDA)
            {
                // SOS: the rest is the scan and EOI.
                foreach (byte b in jpeg[pos..])
                {
                    result.Add(b);
                }

                return [.. result];
            }

            if (Array.IndexOf(markers, marker) < 0)
            {
                foreach (byte b in jpeg.Slice(pos, length + 2))
                {
                    result.Add(b);
                }
            }

            pos += length + 2;
        }

        result.Add(0xFF);
        result.Add(0xD9);
        return [.. result];
    }
}
