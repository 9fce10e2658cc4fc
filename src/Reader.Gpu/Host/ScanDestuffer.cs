using Reader.Core.Decode.Jpeg;

namespace Reader.Gpu.Host;

/// <summary>
/// Turns one tile's entropy-coded bytes into the clean bitstream the parallel Huffman kernels read: stuffed
/// zeros (FF 00, with any fill bytes FF before it) become FF, restart markers become segment ends, and the scan's
/// structure is judged here once, as libjpeg would at the end of each interval: the restart markers in
/// sequence, as many as the restart interval implies, then EOI.
/// </summary>
internal static class ScanDestuffer
{
    /// <summary>
    /// Copies <paramref name="scan"/> (from the first entropy-coded byte through the marker after the scan) into
    /// <paramref name="clean"/> unstuffed and records where each segment ends in it (<paramref name="ends"/>, room
    /// for <paramref name="expected"/>). Returns the structure's <see cref="JpegStatus"/>: Ok when exactly
    /// <paramref name="expected"/> segments end at RST0..7 in turn and then EOI.
    /// </summary>
    public static int Destuff(ReadOnlySpan<byte> scan, Span<byte> clean, int expected, Span<int> ends, out int segments)
    {
        int o = 0, i = 0, seg = 0;
        int status;
        while (true)
        {
            int run = scan[i..].IndexOf((byte)0xFF);
            if (run < 0)
            {
                scan[i..].CopyTo(clean[o..]);
                o += scan.Length - i;
                status = JpegStatus.MissingEndOfImage;
                break;
            }

            scan.Slice(i, run).CopyTo(clean[o..]);
            o += run;
            int q = i + run + 1;
            while (q < scan.Length && scan[q] == 0xFF)
            {
                q++; // fill bytes
            }

            if (q >= scan.Length)
            {
                status = JpegStatus.MissingEndOfImage;
                break;
            }

            byte marker = scan[q];
            if (marker == 0)
            {
                clean[o++] = 0xFF; // a stuffed zero
                i = q + 1;
                continue;
            }

            if (marker is >= 0xD0 and <= 0xD7 && seg + 1 < expected)
            {
                if (marker != 0xD0 + (seg & 7))
                {
                    status = JpegStatus.BadRestartMarker;
                    break;
                }

                ends[seg++] = o;
                i = q + 1;
                continue;
            }

            status = seg + 1 < expected ? JpegStatus.BadRestartMarker : marker == 0xD9 ? JpegStatus.Ok : JpegStatus.MarkerAfterScan;
            break;
        }

        ends[seg] = o;
        segments = seg + 1;
        return status;
    }
}
