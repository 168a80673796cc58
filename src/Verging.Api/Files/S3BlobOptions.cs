namespace Verging.Api.Files;

/// <summary>
/// Section "Blobs:S3": an S3-compatible bucket (AWS S3, MinIO, R2, Ceph...) as the blob store.
/// Setting <see cref="Bucket"/> switches the store from local disk to S3.
/// </summary>
public sealed class S3BlobOptions
{
    public const string Section = "Blobs:S3";

    /// <summary>Endpoint of an S3-compatible service (e.g. http://127.0.0.1:9000 for MinIO); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Region used in the request signature (and to find AWS's endpoint when <see cref="ServiceUrl"/> is empty).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The bucket; it must exist (the app never creates buckets).</summary>
    public string? Bucket { get; set; }

    /// <summary>Static credentials; when empty, the SDK's default chain (environment, instance role...) is used.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>http://host/bucket/key rather than http://bucket.host/key: what MinIO and most self-hosted stores expect.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Optional prefix in front of every object key (e.g. "verging/"), to share a bucket.</summary>
    public string? Prefix { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Bucket);
}
