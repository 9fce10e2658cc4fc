using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Reader.Core.Sources.Remote;

/// <summary>
/// An object behind an http:// or https:// address, read with Range requests on one shared, pooled HttpClient
/// (HTTP/2 where the server offers it). The pinned version travels as If-Match (a strong ETag) or
/// If-Unmodified-Since (Last-Modified); a 412 means the object changed. HTTP cannot list, so such slides have no siblings.
/// </summary>
public sealed class HttpTransport : IRemoteTransport
{
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = 64,
        AutomaticDecompression = DecompressionMethods.None,
        EnableMultipleHttp2Connections = true,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each request has the source's timeout
    };

    private readonly Uri address;
    private readonly HttpClient client;

    /// <summary>A transport for <paramref name="address"/>, on the shared client or <paramref name="client"/>.</summary>
    public HttpTransport(Uri address, HttpClient? client = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"not an http(s) address: {RedactedName(address)}", nameof(address));
        }

        this.address = address;
        this.client = client ?? SharedClient;
        Name = RedactedName(address);
    }

    public string Name { get; }

    /// <summary>The address as messages show it: scheme, host, port and path; never user info, query string (SAS tokens) or fragment.</summary>
    public static string RedactedName(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsAbsoluteUri ? address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped) : "(relative address)";
    }

    public async Task<RemoteRead> ReadAsync(long offset, Memory<byte> destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Range = new RangeHeaderValue(offset, offset + Math.Max(1, destination.Length) - 1);
        if (expectedVersion is not null)
        {
            if (expectedVersion.StartsWith('"'))
            {
                request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(expectedVersion));
            }
            else if (DateTimeOffset.TryParse(expectedVersion, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset modified))
            {
                request.Headers.IfUnmodifiedSince = modified;
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RemoteTransportException(RemoteFailure.Transient, "connection failed: " + e.Message, e);
        }

        using (response)
        {
            string? version = response.Headers.ETag?.ToString() ?? response.Content.Headers.LastModified?.ToString("R", CultureInfo.InvariantCulture);
            int status = (int)response.StatusCode;
            long total;
            switch (status)
            {
                case 206:
                    ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
                    if (range?.Length is not { } length || range.From != offset)
                    {
                        throw new RemoteTransportException(RemoteFailure.Permanent, $"206 with Content-Range '{range}', bytes {offset}- were asked for");
                    }

                    total = length;
                    break;
                case 200:
                    if (offset != 0 || response.Content.Headers.ContentLength is not { } whole)
                    {
                        throw new RemoteTransportException(RemoteFailure.Permanent, "the server ignores Range requests (200 with the whole object)");
                    }

                    total = whole;
                    break;
                case 416:
                    return new RemoteRead(0, response.Content.Headers.ContentRange?.Length ?? offset, version);
                default:
                    throw new RemoteTransportException(RemoteTransportException.FailureOf(status), $"HTTP {status}");
            }

            int want = (int)Math.Min(destination.Length, Math.Max(0, total - offset));
            int read;
            try
            {
                Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    read = await body.ReadAtLeastAsync(destination[..want], want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new RemoteTransportException(RemoteFailure.Transient, "connection lost in the body: " + e.Message, e);
            }

            return new RemoteRead(read, total, version);
        }
    }

    public Task<IReadOnlyList<string>?> ListSiblingsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>?>(null);

    public IRemoteTransport OpenSibling(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a name beside {Name}", nameof(name));
        }

        return new HttpTransport(new Uri(address, Uri.EscapeDataString(name)), client);
    }

    public void Dispose()
    {
        // The shared client lives for the process; a caller's client is the caller's.
    }
}
