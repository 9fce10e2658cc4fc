using Reader.Core;
using Reader.Core.Cache;
using Reader.Native;

namespace Reader.Bench.Backends;

/// <summary>Our reader: "cpu" (libjpeg-turbo through the shim) or "cpu-managed" (managed decoders).</summary>
internal sealed class OursBackend(bool managed) : BenchBackend
{
    public override string Name => managed ? "cpu-managed" : "cpu";

    public override string? UnavailableReason => !managed && !NativeShim.IsAvailable ? NativeShim.UnavailableReason : null;

    public override string Describe => managed
        ? $"our reader, managed decoders; RGB24 output; decoded-tile cache {TileCache.DefaultCapacity >> 20} MiB per slide"
        : $"our reader, libjpeg-turbo {NativeShim.LibjpegTurboVersionText} via the shim; RGB24 output; decoded-tile cache {TileCache.DefaultCapacity >> 20} MiB per slide";

    public SlideOptions Options => new() { Backend = managed ? DecoderBackend.Managed : DecoderBackend.Native };

    public override IPatchSource Open(string path) => new Source(Slide.Open(path, Options));

    private sealed class Source(Slide slide) : IPatchSource
    {
        public Slide Slide => slide;

        public void Read(long x, long y, int level, int width, int height, PatchScratch scratch) =>
            slide.ReadRegion(x, y, level, width, height, scratch.Bytes, PixelFormat.Rgb24);

        public void Dispose() => slide.Dispose();
    }
}
