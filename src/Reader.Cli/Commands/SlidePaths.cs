using Reader.Core.Sources.Remote;

namespace Reader.Cli.Commands;

/// <summary>A slide argument: a local path (made absolute) or an address (kept as given; messages show it without credentials).</summary>
internal static class SlidePaths
{
    public static string Full(string slide) => SlideLocations.IsRemote(slide, out _) ? slide : Path.GetFullPath(slide);

    /// <summary>The full path, or the address without credentials or query string.</summary>
    public static string Display(string slide) =>
        SlideLocations.IsRemote(slide, out Uri? address) ? HttpTransport.RedactedName(address!) : Path.GetFullPath(slide);

    public static string Short(string slide) =>
        SlideLocations.IsRemote(slide, out Uri? address) ? HttpTransport.RedactedName(address!) : Path.GetFileName(slide);
}
