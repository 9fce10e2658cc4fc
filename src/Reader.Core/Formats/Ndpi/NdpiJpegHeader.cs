using System.Buffers.Binary;
using Reader.Core.Open;
using Reader.Core.Sources;

namespace Reader.Core.Formats.Ndpi;

/// <summary>
/// The header of one NDPI level's JPEG (SOI through the SOS segment): its frame size, sampling, restart interval
/// and the colour space libjpeg would guess for it (NDPI's JPEGs are decoded without the TIFF photometric, as
/// OpenSlide does). Read once at open; every restart-interval tile is decoded as this header plus its bytes.
/// </summary>
internal sealed class NdpiJpegHeader
{
    private const int MaxMarkers = 1024;

    private NdpiJpegHeader(byte[] bytes, int sofOffset)
    {
        Bytes = bytes;
        SofOffset = sofOffset;
    }

    /// <summary>SOI through the end of the SOS segment, as stored.</summary>
    public byte[] Bytes { get; }

    /// <summary>Where the SOF marker starts within <see cref="Bytes"/>.</summary>
    public int SofOffset { get; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int Components { get; private set; }

    public int MaxH { get; private set; } = 1;

    public int MaxV { get; private set; } = 1;

    public int ScanComponents { get; private set; }

    public int RestartInterval { get; private set; }

    /// <summary>TIFF photometric for libjpeg's guess: JFIF or Adobe transform 1 or ids 1,2,3 mean YCbCr; Adobe transform 0 or ids 'R','G','B' mean RGB.</summary>
    public int Photometric { get; private set; } = TiffPhotometric.YCbCr;

    /// <summary>Reads the header at <paramref name="offset"/>, no further than <paramref name="end"/> and the metadata limit.</summary>
    public static NdpiJpegHeader Read(SlideSource source, long offset, long end, SlideLimits limits, string where)
    {
        long available = Math.Min(end - offset, limits.MaxMetadataBytes);
        if (available < 4)
        {
            throw new CorruptSlideException(source.Name, where, $"the JPEG strip at offset {offset} is only {end - offset} bytes long");
        }

        // Headers are a few hundred bytes; read more only when a large APPn segment needs it.
        int length = (int)Math.Min(available, 64 << 10);
        while (true)
        {
            byte[] buffer = new byte[length];
            source.ReadExactly(offset, buffer, new ErrorSite(where));
            NdpiJpegHeader? header = TryParse(buffer, source.Name, where, out bool needMore);
            if (header is not null)
            {
                return header;
            }

            if (!needMore || length >= available)
            {
                throw new CorruptSlideException(source.Name, where, $"no SOS marker in the first {length} bytes of the JPEG strip at offset {offset}");
            }

            length = (int)Math.Min(available, (long)length * 4);
        }
    }

    /// <summary>The header with its frame size set to one tile, the image libjpeg then decodes per restart interval.</summary>
    public byte[] WithFrameSize(int width, int height)
    {
        byte[] copy = (byte[])Bytes.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(SofOffset + 5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(SofOffset + 7), (ushort)width);
        return copy;
    }

    private static NdpiJpegHeader? TryParse(byte[] s, string path, string where, out bool needMore)
    {
        needMore = false;
        if (s[0] != 0xFF || s[1] != 0xD8)
        {
            throw new CorruptSlideException(path, where, "the level's strip does not start with a JPEG SOI marker");
        }

        int pos = 2;
        int sof = -1;
        bool jfif = false;
        int adobeTransform = -1;
        var frame = new List<(int Id, int H, int V)>();
        int restart = 0;
        for (int markers = 0; markers < MaxMarkers; markers++)
        {
            if (pos + 4 > s.Length)
            {
                needMore = true;
                return null;
            }

            if (s[pos] != 0xFF)
            {
                throw new CorruptSlideException(path, where, $"expected a JPEG marker at header byte {pos}");
            }

            int marker = s[pos + 1];
            int segment = (s[pos + 2] << 8) | s[pos + 3];
            if (segment < 2)
            {
                throw new CorruptSlideException(path, where, $"JPEG marker 0x{marker:X2} has length {segment}");
            }

            if (pos + 2 + segment > s.Length)
            {
                needMore = true;
                return null;
            }

            ReadOnlySpan<byte> body = s.AsSpan(pos + 4, segment - 2);
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2 or 0xC3 or 0xC5 or 0xC6 or 0xC7 or 0xC9 or 0xCA or 0xCB or 0xCD or 0xCE or 0xCF:
                    if (marker is not (0xC0 or 0xC1))
                    {
                        throw new UnsupportedFormatException(path, where, $"JPEG frame type 0x{marker:X2} (progressive, lossless or arithmetic) in an NDPI level is not supported");
                    }

                    if (body.Length < 6 || body.Length < 6 + (3 * body[5]) || body[0] != 8)
                    {
                        throw new CorruptSlideException(path, where, "JPEG frame header is truncated or not 8-bit");
                    }

                    sof = pos;
                    frame.Clear();
                    for (int c = 0; c < body[5]; c++)
                    {
                        int hv = body[6 + (3 * c) + 1];
                        frame.Add((body[6 + (3 * c)], hv >> 4, hv & 15));
                    }

                    break;
                case 0xDD:
                    restart = body.Length >= 2 ? (body[0] << 8) | body[1] : throw new CorruptSlideException(path, where, "JPEG DRI segment is truncated");
                    break;
                case 0xE0:
                    jfif |= body.Length >= 5 && body[..5].SequenceEqual("JFIF\0"u8);
                    break;
                case 0xEE:
                    if (body.Length >= 12 && body[..5].SequenceEqual("Adobe"u8))
                    {
                        adobeTransform = body[11];
                    }

                    break;
                case 0xDA:
                    if (sof < 0)
                    {
                        throw new CorruptSlideException(path, where, "JPEG scan starts before any frame header");
                    }

                    var header = new NdpiJpegHeader(s.AsSpan(0, pos + 2 + segment).ToArray(), sof)
                    {
                        Height = (s[sof + 5] << 8) | s[sof + 6],
                        Width = (s[sof + 7] << 8) | s[sof + 8],
                        Components = frame.Count,
                        MaxH = Math.Max(1, frame.Max(f => f.H)),
                        MaxV = Math.Max(1, frame.Max(f => f.V)),
                        ScanComponents = body.Length > 0 ? body[0] : 0,
                        RestartInterval = restart,
                    };
                    header.Photometric = GuessPhotometric(frame, jfif, adobeTransform);
                    if (frame.Any(f => f.H is < 1 or > 4 || f.V is < 1 or > 4))
                    {
                        throw new CorruptSlideException(path, where, "JPEG sampling factors out of range");
                    }

                    return header;
                case 0xD8 or 0xD9 or (>= 0xD0 and <= 0xD7):
                    throw new CorruptSlideException(path, where, $"unexpected JPEG marker 0x{marker:X2} in the header");
            }

            pos += 2 + segment;
        }

        throw new CorruptSlideException(path, where, $"more than {MaxMarkers} JPEG marker segments before the scan");
    }

    /// <summary>libjpeg's default colour space for a three-component image (jdapimin.c's rules).</summary>
    private static int GuessPhotometric(List<(int Id, int H, int V)> frame, bool jfif, int adobeTransform)
    {
        if (frame.Count != 3 || jfif)
        {
            return TiffPhotometric.YCbCr;
        }

        if (adobeTransform >= 0)
        {
            return adobeTransform == 0 ? TiffPhotometric.Rgb : TiffPhotometric.YCbCr;
        }

        return frame[0].Id == 'R' && frame[1].Id == 'G' && frame[2].Id == 'B' ? TiffPhotometric.Rgb : TiffPhotometric.YCbCr;
    }
}
