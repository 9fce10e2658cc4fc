using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Reader.Core.Sources.Remote;

namespace Reader.Remote;

/// <summary>
/// An Azure blob (az://account/container/blob) read with ranged downloads (Azure.Storage.Blobs). The pinned version
/// travels as If-Match; siblings are the blobs under the same prefix. The client's own retries are off: the source
/// retries, once, for every store.
/// </summary>
public sealed class AzureBlobTransport : IRemoteTransport
{
    private const int MaxListed = 100_000;

    private readonly BlobContainerClient container;
    private readonly BlobClient blob;
    private readonly string account;

    /// <summary>Reads <paramref name="blobName"/> of <paramref name="container"/>.</summary>
    public AzureBlobTransport(BlobContainerClient container, string blobName)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        this.container = container;
        blob = container.GetBlobClient(blobName);
        account = container.AccountName;
        Name = $"az://{account}/{container.Name}/{blobName}";
    }

    public string Name { get; }

    /// <summary>Account, container and blob name of an az:// address.</summary>
    public static (string Account, string Container, string Blob) Parse(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string[] path = Uri.UnescapeDataString(address.AbsolutePath.TrimStart('/')).Split('/', 2);
        if (address.Scheme != "az" || address.Host.Length == 0 || path.Length < 2 || path[0].Length == 0 || path[1].Length == 0)
        {
            throw new ArgumentException($"not an az://account/container/blob address: {address.Scheme}://{address.Host}{address.AbsolutePath}", nameof(address));
        }

        return (address.Host, path[0], path[1]);
    }

    public async Task<RemoteRead> ReadAsync(long offset, Memory<byte> destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadOptions
        {
            Range = new HttpRange(offset, Math.Max(1, destination.Length)),
            Conditions = expectedVersion is null ? null : new BlobRequestConditions { IfMatch = new ETag(expectedVersion) },
        };
        try
        {
            Response<BlobDownloadStreamingResult> response = await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            using BlobDownloadStreamingResult result = response.Value;
            BlobDownloadDetails details = result.Details;
            long total = RemoteTransportException.TotalOf(details.ContentRange) ?? details.ContentLength;
            int want = (int)Math.Min(destination.Length, Math.Max(0, total - offset));
            int read = await result.Content.ReadAtLeastAsync(destination[..want], want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return new RemoteRead(read, total, details.ETag.ToString());
        }
        catch (RequestFailedException e)
        {
            throw Classify(e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RemoteTransportException(RemoteFailure.Transient, "connection failed: " + e.Message, e);
        }
    }

    public async Task<IReadOnlyList<string>?> ListSiblingsAsync(CancellationToken cancellationToken)
    {
        string prefix = Prefix;
        var names = new List<string>();
        try
        {
            await foreach (BlobHierarchyItem item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix, cancellationToken).ConfigureAwait(false))
            {
                if (item.IsBlob)
                {
                    names.Add(item.Blob.Name[prefix.Length..]);
                }

                if (names.Count > MaxListed)
                {
                    throw new RemoteTransportException(RemoteFailure.Permanent, $"more than {MaxListed} blobs beside {Name}");
                }
            }
        }
        catch (RequestFailedException e)
        {
            throw Classify(e);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public IRemoteTransport OpenSibling(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a name beside {Name}", nameof(name));
        }

        return new AzureBlobTransport(container, Prefix + name);
    }

    public void Dispose()
    {
        // Clients hold no unmanaged state of their own; their HTTP pipeline is shared.
    }

    private string Prefix => blob.Name.LastIndexOf('/') is int slash and >= 0 ? blob.Name[..(slash + 1)] : string.Empty;

    private static RemoteTransportException Classify(RequestFailedException e)
    {
        RemoteFailure failure = RemoteTransportException.FailureOf(e.Status);
        return new RemoteTransportException(failure, $"Azure {e.Status} {e.ErrorCode}".TrimEnd(), e);
    }
}
