using Reader.Core.Decode.Jpeg;
using Reader.Native;
using Reader.Native.Deflate;
using Reader.Native.Jpeg;

namespace Reader.Core.Decode;

/// <summary>
/// The decoders one thread uses, created on first use and reused for every tile after
/// (creating a libjpeg decompressor per tile would cost more than a small tile's header).
/// </summary>
internal sealed class DecoderSet
{
    [ThreadStatic]
    private static DecoderSet? current;

    private NativeJpegDecoder? nativeJpeg;
    private ManagedJpegDecoder? managedJpeg;
    private NativeInflater? inflater;
    private bool inflaterChecked;
    private LzwDecoder? lzw;
    private ZstdSharp.Decompressor? zstd;

    public static DecoderSet Current => current ??= new DecoderSet();

    public NativeJpegDecoder NativeJpeg => nativeJpeg ??= new NativeJpegDecoder();

    public ManagedJpegDecoder ManagedJpeg => managedJpeg ??= new ManagedJpegDecoder();

    public LzwDecoder Lzw => lzw ??= new LzwDecoder();

    public ZstdSharp.Decompressor Zstd => zstd ??= new ZstdSharp.Decompressor();

    /// <summary>libdeflate when the shim has it, else null (the managed inflater is used).</summary>
    public NativeInflater? Inflater
    {
        get
        {
            if (!inflaterChecked)
            {
                inflaterChecked = true;
                inflater = NativeInflater.IsSupported ? new NativeInflater() : null;
            }

            return inflater;
        }
    }

    /// <summary>Native decoders this process has alive, for leak checks.</summary>
    public static long LiveNativeJpegDecoders => NativeShim.IsAvailable ? NativeJpegDecoder.LiveHandles : 0;
}
