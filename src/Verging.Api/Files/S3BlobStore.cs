using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Verging.SharedKernel.Blobs;

namespace Verging.Api.Files;

/// <summary>
/// The blob store on an S3-compatible bucket, with the local store's key layout
/// ("folder/yyyy/MM/dd/guid.ext", behind <see cref="S3BlobOptions.Prefix"/>). Clients never see the
/// bucket: they get our own signed /files/ URLs, which stream from here.
/// </summary>
internal sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly S3BlobOptions _options;
    private readonly TimeProvider _clock;

    public S3BlobStore(IOptions<S3BlobOptions> options, IOptions<BlobOptions> blobOptions, TimeProvider clock, ILogger<S3BlobStore> logger)
    {
        _options = options.Value;
        _clock = clock;
        _s3 = CreateClient(_options);
        // Endpoint and bucket only: the credentials are never written anywhere.
        logger.LogInformation("Blob store: S3 bucket {Bucket} at {Endpoint} (region {Region}, prefix '{Prefix}')",
            _options.Bucket, string.IsNullOrEmpty(_options.ServiceUrl) ? "AWS" : _options.ServiceUrl, _options.Region, _options.Prefix);
        if (string.IsNullOrEmpty(blobOptions.Value.SigningKey))
        {
            // The bucket is shared, but a generated signing key lives on this instance's disk only.
            logger.LogWarning("Blobs:SigningKey is not set: file URLs signed by this instance will be refused by other instances sharing the bucket");
        }
    }

    public async Task<StoredBlob> PutAsync(string folder, string extension, Stream content, string contentType, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(content);
        var now = _clock.GetUtcNow();
        var key = $"{folder.Trim('/')}/{now:yyyy/MM/dd}/{Guid.CreateVersion7(now):N}.{extension.TrimStart('.')}";

        // S3 needs the length up front. A seekable stream at its start is sent as it is; anything else
        // is spooled to a temporary file first, so a 500 MB upload never sits in memory. (The SDK
        // rewinds seekable streams to 0, so one already partly read must be spooled too.)
        if (content.CanSeek && content.Position == 0)
        {
            await PutObjectAsync(key, content, content.Length, contentType, cancellation);
            return new StoredBlob(key, content.Length, contentType);
        }

        var spool = Path.Combine(Path.GetTempPath(), $"verging-s3-{Guid.NewGuid():N}.partial");
        await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        await content.CopyToAsync(file, cancellation);
        file.Position = 0;
        await PutObjectAsync(key, file, file.Length, contentType, cancellation);
        return new StoredBlob(key, file.Length, contentType);
    }

    public async Task<(Stream Content, string ContentType)?> OpenAsync(string key, CancellationToken cancellation)
    {
        GetObjectResponse response;
        try
        {
            response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key) }, cancellation);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var type = string.IsNullOrEmpty(response.Headers.ContentType) ? "application/octet-stream" : response.Headers.ContentType;
        return (new LengthReportingStream(response.ResponseStream, response.ContentLength, response), type);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellation)
    {
        try
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key) }, cancellation);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // S3 answers 204 for a missing key; some compatible stores answer 404. Either way it is gone.
        }
    }

    public void Dispose() => _s3.Dispose();

    private async Task PutObjectAsync(string key, Stream body, long size, string contentType, CancellationToken cancellation)
    {
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = ObjectKey(key),
            InputStream = body,
            ContentType = contentType,
            // The caller owns its stream (and disposes it); the SDK would close it after sending.
            AutoCloseStream = false,
        };
        request.Headers.ContentLength = size;
        await _s3.PutObjectAsync(request, cancellation);
    }

    /// <summary>Keys come from our own signed URLs, but are still refused if they try to climb out of the prefix.</summary>
    private string ObjectKey(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.Contains("..", StringComparison.Ordinal) || key.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException("Invalid blob key", nameof(key));
        }

        return string.IsNullOrEmpty(_options.Prefix) ? key : $"{_options.Prefix.Trim('/')}/{key}";
    }

    private static AmazonS3Client CreateClient(S3BlobOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // The SDK's default CRC trailers (aws-chunked with trailing checksums) are rejected by
            // several S3-compatible stores; checksums only where the operation requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
