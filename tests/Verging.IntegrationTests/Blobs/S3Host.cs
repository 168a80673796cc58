using Microsoft.AspNetCore.Hosting;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Blobs;

/// <summary>The real host with its blob store on the fake S3 service (Blobs:S3 settings, as in production).</summary>
public sealed class S3Host : VergingHost
{
    public const string Bucket = "verging-media";
    public const string Region = "eu-west-3";
    public const string Prefix = "verging";
    public const string WorkerToken = "s3-worker-token-0123456789";
    public static readonly string AccessKey = "AKIAHOST" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
    public static readonly string SecretKey = "s3-secret-" + Guid.NewGuid().ToString("N");

    public FakeS3 S3 { get; } = new(Bucket, AccessKey, SecretKey, Region);

    public override async Task InitializeAsync()
    {
        await S3.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S3.DisposeAsync();
    }

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Blobs:S3:ServiceUrl", S3.ServiceUrl);
        builder.UseSetting("Blobs:S3:Region", Region);
        builder.UseSetting("Blobs:S3:Bucket", Bucket);
        builder.UseSetting("Blobs:S3:AccessKey", AccessKey);
        builder.UseSetting("Blobs:S3:SecretKey", SecretKey);
        builder.UseSetting("Blobs:S3:Prefix", Prefix);
        // Image-to-video is left to external workers, so a test can drive the worker API against the bucket.
        builder.UseSetting("Jobs:WorkerToken", WorkerToken);
        builder.UseSetting("Jobs:ExternalOnlyTypes:0", Verging.Jobs.Contracts.JobTypes.ImageToVideo);
    }
}

[CollectionDefinition(Name)]
public sealed class S3HostCollection : ICollectionFixture<S3Host>
{
    public const string Name = "s3 host";
}
