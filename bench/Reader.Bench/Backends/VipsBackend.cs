using NetVips;

namespace Reader.Bench.Backends;

/// <summary>
/// libvips (NetVips with its bundled libvips): region reads from its tiled-TIFF loader, one
/// vips region per thread on a shared image, the way libvips' own C API reads regions.
/// </summary>
internal sealed class VipsBackend : BenchBackend
{
    private static readonly Lazy<string?> Problem = new(() =>
    {
        try
        {
            return ModuleInitializer.VipsInitialized ? null : "libvips did not initialise: " + ModuleInitializer.Exception?.Message;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            return "libvips is unavailable: " + e.Message;
        }
    });

    public override string Name => "libvips";

    public override string? UnavailableReason => Problem.Value;

    public override string Describe => $"libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)} (NetVips bundle), tiffload random access, a region per thread; RGB output; libvips' own tile cache";

    public override IPatchSource Open(string path) => new Source(Image.NewFromFile(path, access: Enums.Access.Random));

    private sealed class Source(Image image) : IPatchSource
    {
        private readonly ThreadLocal<Region> regions = new(() => Region.New(image), trackAllValues: true);

        public void Read(long x, long y, int level, int width, int height, PatchScratch scratch)
        {
            if (level != 0)
            {
                throw new NotSupportedException("the libvips backend reads level 0");
            }

            // Clip like the others pad: libvips refuses regions outside the image.
            int x0 = (int)Math.Max(0, x), y0 = (int)Math.Max(0, y);
            int w = (int)Math.Min(x + width, image.Width) - x0, h = (int)Math.Min(y + height, image.Height) - y0;
            if (w > 0 && h > 0)
            {
                byte[] pixels = regions.Value!.Fetch(x0, y0, w, h);
                pixels.AsSpan(0, Math.Min(pixels.Length, scratch.Bytes.Length)).CopyTo(scratch.Bytes);
            }
        }

        public void Dispose()
        {
            foreach (Region r in regions.Values)
            {
                r.Dispose();
            }

            regions.Dispose();
            image.Dispose();
        }
    }
}
