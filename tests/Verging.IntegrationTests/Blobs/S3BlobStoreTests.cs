using Amazon.S3;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Verging.Api.Files;
using Verging.SharedKernel.Blobs;

namespace Verging.IntegrationTests.Blobs;

/// <summary>The S3 store against the fake S3 service: what is put comes back whole, with its type and length.</summary>
public sealed class S3BlobStoreTests : IAsyncLifetime
{
    private const string Bucket = "verging-test";
    private const string AccessKey = "AKIAFAKEUNITTEST0001";
    private const string SecretKey = "unit-test-secret";
    private const string Region = "eu-central-1";

    private readonly FakeS3 _s3 = new(Bucket, AccessKey, SecretKey, Region);

    public Task InitializeAsync() => _s3.StartAsync();

    public async Task DisposeAsync() => await _s3.DisposeAsync();

    [Fact]
    public async Task Put_then_open_returns_the_same_bytes_content_type_and_length()
    {
        using var store = Store(prefix: "tenant-a/");
        var bytes = RandomBytes(300_000);

        var stored = await store.PutAsync("proxy/tts", ".mp3", new MemoryStream(bytes), "audio/mpeg", CancellationToken.None);

        stored.Key.ShouldMatch(@"^proxy/tts/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.mp3$");
        (stored.Size, stored.ContentType).ShouldBe((bytes.Length, "audio/mpeg"));
        _s3.Objects.Keys.ShouldBe(new[] { "tenant-a/" + stored.Key }, "the prefix goes in front of the local store's key layout");
        _s3.Objects["tenant-a/" + stored.Key].ContentType.ShouldBe("audio/mpeg");

        var opened = (await store.OpenAsync(stored.Key, CancellationToken.None)).ShouldNotBeNull();
        await using var content = opened.Content;
        opened.ContentType.ShouldBe("audio/mpeg");
        content.Length.ShouldBe(bytes.Length, "the worker API reads Length of an opened blob");
        (await ReadAll(content)).ShouldBe(bytes);
    }

    [Fact]
    public async Task A_stream_that_cannot_seek_is_stored_whole_from_where_it_is()
    {
        using var store = Store();
        var bytes = RandomBytes((6 * 1024 * 1024) + 123);

        var stored = await store.PutAsync("uploads", "mp4", new ForwardOnlyStream(new MemoryStream(bytes)), "video/mp4", CancellationToken.None);

        stored.Size.ShouldBe(bytes.Length);
        _s3.Objects[stored.Key].Bytes.ShouldBe(bytes);

        var seekable = new MemoryStream(bytes) { Position = 1000 };
        var tail = await store.PutAsync("uploads", "bin", seekable, "application/octet-stream", CancellationToken.None);
        tail.Size.ShouldBe(bytes.Length - 1000);
        _s3.Objects[tail.Key].Bytes.ShouldBe(bytes[1000..]);
        seekable.CanRead.ShouldBeTrue("the caller's stream is the caller's to close");
    }

    [Fact]
    public async Task A_missing_key_opens_as_null_and_delete_is_idempotent()
    {
        using var store = Store();
        (await store.OpenAsync("proxy/imagegen/2026/01/01/00000000000000000000000000000000.png", CancellationToken.None)).ShouldBeNull();

        var stored = await store.PutAsync("proxy/imagegen", "png", new MemoryStream([1, 2, 3]), "image/png", CancellationToken.None);
        await store.DeleteAsync(stored.Key, CancellationToken.None);
        (await store.OpenAsync(stored.Key, CancellationToken.None)).ShouldBeNull();
        await store.DeleteAsync(stored.Key, CancellationToken.None);
        _s3.Objects.ShouldBeEmpty();
    }

    [Fact]
    public async Task Requests_are_signed_with_the_configured_keys_and_region()
    {
        using var store = Store();
        await store.PutAsync("proxy/tts", "wav", new MemoryStream([9]), "audio/wav", CancellationToken.None);
        _s3.Authorizations.ShouldAllBe(a => a.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/", StringComparison.Ordinal) && a.Contains($"/{Region}/s3/aws4_request", StringComparison.Ordinal));
        _s3.Refused.ShouldBe(0);

        using var wrongRegion = Store(region: "us-west-2");
        var refused = await Should.ThrowAsync<AmazonS3Exception>(() => wrongRegion.PutAsync("proxy/tts", "wav", new MemoryStream([9]), "audio/wav", CancellationToken.None));
        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        _s3.Refused.ShouldBeGreaterThan(0, "the fake really checks the credential scope");

        using var wrongSecret = Store(secret: "not-the-secret");
        (await Should.ThrowAsync<AmazonS3Exception>(() => wrongSecret.OpenAsync("proxy/tts/x.wav", CancellationToken.None)))
            .StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden, "the fake really verifies the signature");
    }

    [Theory]
    [InlineData("../other-bucket/secret.png")]
    [InlineData("/absolute.png")]
    [InlineData("proxy/../../x.png")]
    public async Task A_key_that_climbs_out_of_the_prefix_is_refused(string key)
    {
        using var store = Store(prefix: "tenant-a");
        await Should.ThrowAsync<ArgumentException>(() => store.OpenAsync(key, CancellationToken.None));
        await Should.ThrowAsync<ArgumentException>(() => store.DeleteAsync(key, CancellationToken.None));
    }

    private S3BlobStore Store(string? prefix = null, string region = Region, string secret = SecretKey) => new(
        Options.Create(new S3BlobOptions
        {
            ServiceUrl = _s3.ServiceUrl, Region = region, Bucket = Bucket, AccessKey = AccessKey, SecretKey = secret, Prefix = prefix,
        }),
        Options.Create(new BlobOptions { SigningKey = "unit-test-signing-key" }), TimeProvider.System, NullLogger<S3BlobStore>.Instance);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Like a request body: readable once, no length, no seeking.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
