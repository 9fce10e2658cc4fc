using System.Collections.Concurrent;

namespace Reader.Core.Sources.Remote;

/// <summary>
/// Turns a slide's location (a path, or an address: http://, https://, and whatever a storage package registers,
/// such as s3:// and az:// by Reader.Remote) into a <see cref="SlideSource"/>. <see cref="Slide.Open(string, SlideOptions?)"/> and every
/// <c>wsi</c> verb go through it.
/// </summary>
public static class SlideLocations
{
    private static readonly ConcurrentDictionary<string, Func<Uri, IRemoteTransport>> Schemes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = uri => new HttpTransport(uri),
        ["https"] = uri => new HttpTransport(uri),
    };

    /// <summary>Schemes that name remote storage; the ones not registered are refused with the package that reads them.</summary>
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3"] = "Reader.Remote (RemoteSources.Register())",
        ["az"] = "Reader.Remote (RemoteSources.Register())",
        ["gs"] = "no package yet",
    };

    /// <summary>Makes <paramref name="scheme"/>:// addresses open through <paramref name="transport"/> (replacing an earlier registration).</summary>
    public static void Register(string scheme, Func<Uri, IRemoteTransport> transport)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(transport);
        Schemes[scheme] = transport;
    }

    /// <summary>True when <paramref name="location"/> is an address (scheme://...) rather than a local path.</summary>
    public static bool IsRemote(string location, out Uri? address)
    {
        address = null;
        if (string.IsNullOrEmpty(location) || !location.Contains("://", StringComparison.Ordinal)
            || !Uri.TryCreate(location, UriKind.Absolute, out Uri? uri) || uri.IsFile || uri.Scheme.Length < 2)
        {
            return false;
        }

        address = uri;
        return true;
    }

    /// <summary>The source for <paramref name="location"/>: a local file, or a remote object opened with one request.</summary>
    public static SlideSource Open(string location, RemoteOptions? options = null)
    {
        if (!IsRemote(location, out Uri? address))
        {
            return SlideSource.OpenFile(location);
        }

        if (!Schemes.TryGetValue(address!.Scheme, out Func<Uri, IRemoteTransport>? transport))
        {
            string name = HttpTransport.RedactedName(address);
            throw new UnsupportedFormatException(name, null, Known.TryGetValue(address.Scheme, out string? package)
                ? $"{address.Scheme}:// addresses need {package}"
                : $"no transport for {address.Scheme}:// addresses");
        }

        return RemoteSlideSource.Open(transport(address), options);
    }
}
