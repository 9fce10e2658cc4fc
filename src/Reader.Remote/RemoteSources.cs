using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Azure.Core;
using Azure.Storage.Blobs;
using Reader.Core.Sources.Remote;

namespace Reader.Remote;

/// <summary>How s3:// addresses are reached.</summary>
public sealed record S3SourceOptions
{
    /// <summary>The endpoint (an S3-compatible store); default: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then AWS itself.</summary>
    public string? ServiceUrl { get; init; }

    /// <summary>The region; default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.</summary>
    public string? Region { get; init; }

    /// <summary>Credentials; default: the SDK's chain (environment, profile, instance role), or anonymous when it finds none or <see cref="Anonymous"/> is set.</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Unsigned requests (public buckets such as the NCI Imaging Data Commons').</summary>
    public bool Anonymous { get; init; }
}

/// <summary>How az:// addresses are reached.</summary>
public sealed record AzureSourceOptions
{
    /// <summary>A storage connection string; default: AZURE_STORAGE_CONNECTION_STRING; without one, anonymous access to https://ACCOUNT.blob.core.windows.net.</summary>
    public string? ConnectionString { get; init; }
}

/// <summary>
/// Registers s3:// and az:// with <see cref="SlideLocations"/>, so <c>Slide.Open("s3://bucket/slide.svs")</c> and every
/// <c>wsi</c> verb read from S3 and Azure Blob storage. Clients are made once per endpoint and shared.
/// </summary>
public static class RemoteSources
{
    private static readonly ConcurrentDictionary<string, IAmazonS3> S3Clients = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, BlobServiceClient> BlobServices = new(StringComparer.Ordinal);

    /// <summary>Makes s3:// and az:// addresses open (later calls replace the options).</summary>
    public static void Register(S3SourceOptions? s3 = null, AzureSourceOptions? azure = null)
    {
        s3 ??= new S3SourceOptions();
        azure ??= new AzureSourceOptions();
        SlideLocations.Register("s3", uri => OpenS3(uri, s3));
        SlideLocations.Register("az", uri => OpenAzure(uri, azure));
    }

    /// <summary>The transport for an s3://bucket/key address.</summary>
    public static S3Transport OpenS3(Uri address, S3SourceOptions? options = null)
    {
        options ??= new S3SourceOptions();
        (string bucket, string key) = S3Transport.Parse(address);
        string? serviceUrl = options.ServiceUrl ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        string region = options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        string clientKey = $"{serviceUrl}|{region}|{options.Anonymous}|{options.Credentials?.GetHashCode()}";
        IAmazonS3 client = S3Clients.GetOrAdd(clientKey, _ =>
        {
            var config = new AmazonS3Config
            {
                MaxErrorRetry = 0, // the source retries
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            };
            if (serviceUrl is not null)
            {
                config.ServiceURL = serviceUrl;
                config.ForcePathStyle = true;
                config.AuthenticationRegion = region;
            }
            else
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }

            AWSCredentials? credentials = options.Anonymous ? new AnonymousAWSCredentials() : options.Credentials ?? DefaultCredentials(config);
            return credentials is null ? new AmazonS3Client(new AnonymousAWSCredentials(), config) : new AmazonS3Client(credentials, config);
        });
        return new S3Transport(client, bucket, key);
    }

    /// <summary>The transport for an az://account/container/blob address.</summary>
    public static AzureBlobTransport OpenAzure(Uri address, AzureSourceOptions? options = null)
    {
        options ??= new AzureSourceOptions();
        (string account, string container, string blob) = AzureBlobTransport.Parse(address);
        string? connection = options.ConnectionString ?? Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = 0; // the source retries
        BlobServiceClient service = BlobServices.GetOrAdd($"{account}|{connection?.GetHashCode()}", _ =>
        {
            if (connection is not null)
            {
                var fromConnection = new BlobServiceClient(connection, clientOptions);
                if (string.Equals(fromConnection.AccountName, account, StringComparison.OrdinalIgnoreCase))
                {
                    return fromConnection;
                }
            }

            return new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), clientOptions);
        });
        return new AzureBlobTransport(service.GetBlobContainerClient(container), blob);
    }

    /// <summary>The SDK's credential chain, or null when it finds nothing (then requests go unsigned).</summary>
    private static AWSCredentials? DefaultCredentials(AmazonS3Config config)
    {
        try
        {
            return Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }
}
