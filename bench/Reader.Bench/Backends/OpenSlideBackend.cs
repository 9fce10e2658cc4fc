namespace Reader.Bench.Backends;

/// <summary>OpenSlide through our binding: its premultiplied ARGB as returned, or converted to RGB.</summary>
internal sealed class OpenSlideBackend(bool convertToRgb) : BenchBackend
{
    public override string Name => convertToRgb ? "openslide-rgb" : "openslide";

    public override string? UnavailableReason => "the OpenSlide binding is not built yet";

    public override string Describe => convertToRgb ? "OpenSlide, converted to RGB" : "OpenSlide, premultiplied ARGB as returned";

    public override IPatchSource Open(string path) => throw new NotSupportedException(UnavailableReason);
}
