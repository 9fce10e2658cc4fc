using Reader.Reference.OpenSlide;

namespace Reader.Bench.Backends;

/// <summary>OpenSlide through our binding: its premultiplied ARGB as returned, or converted to RGB as a user would.</summary>
internal sealed class OpenSlideBackend(bool convertToRgb) : BenchBackend
{
    public override string Name => convertToRgb ? "openslide-rgb" : "openslide";

    public override string? UnavailableReason => OpenSlideImage.IsAvailable ? null : OpenSlideImage.UnavailableReason;

    public override string Describe => $"OpenSlide {OpenSlideImage.LibraryVersion} (system library), its default tile cache; "
        + (convertToRgb ? "premultiplied ARGB converted to RGB (un-premultiplied) after each read" : "premultiplied ARGB as it returns it, no conversion");

    public override IPatchSource Open(string path) => new Source(OpenSlideImage.Open(path), convertToRgb);

    private sealed class Source(OpenSlideImage image, bool convert) : IPatchSource
    {
        public void Read(long x, long y, int level, int width, int height, PatchScratch scratch)
        {
            Span<uint> argb = scratch.Argb.AsSpan(0, width * height);
            image.ReadRegion(x, y, level, width, height, argb);
            if (convert)
            {
                ArgbConversion.ToRgb(argb, scratch.Bytes.AsSpan(0, width * height * 3));
            }
        }

        public void Dispose() => image.Dispose();
    }
}
