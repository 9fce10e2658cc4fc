using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Reader.Core.Sources.Remote;

namespace Reader.Remote;

/// <summary>
/// An S3 object (s3://bucket/key) read with ranged GETs (AWSSDK.S3). The pinned version travels as If-Match
/// (EtagToMatch); siblings are the keys under the same prefix (ListObjectsV2 with a "/" delimiter). The SDK's own
/// retries are off: the source retries, once, for every store.
/// </summary>
public sealed class S3Transport : IRemoteTransport
{
    private const int MaxListed = 100_000;

    private readonly IAmazonS3 client;
    private readonly bool ownsClient;
    private readonly string bucket;
    private readonly string key;

    /// <summary>Reads <paramref name="key"/> of <paramref name="bucket"/> through <paramref name="client"/> (disposed with the transport when <paramref name="ownsClient"/>).</summary>
    public S3Transport(IAmazonS3 client, string bucket, string key, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        this.client = client;
        this.ownsClient = ownsClient;
        this.bucket = bucket;
        this.key = key;
        Name = $"s3://{bucket}/{key}";
    }

    public string Name { get; }

    /// <summary>Bucket and key of an s3:// address.</summary>
    public static (string Bucket, string Key) Parse(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string key = Uri.UnescapeDataString(address.AbsolutePath.TrimStart('/'));
        if (address.Scheme != "s3" || address.Host.Length == 0 || key.Length == 0)
        {
            throw new ArgumentException($"not an s3://bucket/key address: {address.Scheme}://{address.Host}{address.AbsolutePath}", nameof(address));
        }

        return (address.Host, key);
    }

    public async Task<RemoteRead> ReadAsync(long offset, Memory<byte> destination, string? expectedVersion, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest
        {
            BucketName = bucket,
            Key = key,
            ByteRange = new ByteRange(offset, offset + Math.Max(1, destination.Length) - 1),
            EtagToMatch = expectedVersion,
        };
        try
        {
            using GetObjectResponse response = await client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            long total = RemoteTransportException.TotalOf(response.ContentRange) ?? (offset == 0 ? response.ContentLength : throw new RemoteTransportException(RemoteFailure.Permanent, "no Content-Range in a ranged response"));
            int want = (int)Math.Min(destination.Length, Math.Max(0, total - offset));
            int read = await response.ResponseStream.ReadAtLeastAsync(destination[..want], want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return new RemoteRead(read, total, response.ETag);
        }
        catch (AmazonS3Exception e)
        {
            throw Classify(e.StatusCode, e.ErrorCode, e);
        }
        catch (AmazonServiceException e)
        {
            throw Classify(e.StatusCode, e.ErrorCode, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or AmazonClientException)
        {
            throw new RemoteTransportException(RemoteFailure.Transient, "connection failed: " + e.Message, e);
        }
    }

    public async Task<IReadOnlyList<string>?> ListSiblingsAsync(CancellationToken cancellationToken)
    {
        string prefix = Prefix;
        var names = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = "/" };
        try
        {
            do
            {
                ListObjectsV2Response response = await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
                foreach (S3Object o in response.S3Objects ?? [])
                {
                    names.Add(o.Key[prefix.Length..]);
                }

                request.ContinuationToken = response.NextContinuationToken;
                if (names.Count > MaxListed)
                {
                    throw new RemoteTransportException(RemoteFailure.Permanent, $"more than {MaxListed} objects beside {Name}");
                }
            }
            while (!string.IsNullOrEmpty(request.ContinuationToken));
        }
        catch (AmazonServiceException e)
        {
            throw Classify(e.StatusCode, e.ErrorCode, e);
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

        return new S3Transport(client, bucket, Prefix + name);
    }

    public void Dispose()
    {
        if (ownsClient)
        {
            client.Dispose();
        }
    }

    private string Prefix => key.LastIndexOf('/') is int slash and >= 0 ? key[..(slash + 1)] : string.Empty;

    private static RemoteTransportException Classify(HttpStatusCode status, string? code, Exception e)
    {
        int s = (int)status;
        RemoteFailure failure = code is "NoSuchKey" or "NoSuchBucket" ? RemoteFailure.NotFound : RemoteTransportException.FailureOf(s);
        return new RemoteTransportException(failure, $"S3 {s} {code}".TrimEnd(), e);
    }
}
