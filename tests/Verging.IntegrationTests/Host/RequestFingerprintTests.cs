using System.Text;
using Microsoft.AspNetCore.Http;
using Verging.Api.Idempotency;

namespace Verging.IntegrationTests.Host;

/// <summary>
/// What counts as "the same request" for an Idempotency-Key: a multipart retry with a new random boundary is the
/// same request; a different field, file or media type is not. Pure; bodies are read a few bytes at a time so
/// boundaries fall across chunk edges.
/// </summary>
public sealed class RequestFingerprintTests
{
    [Fact]
    public async Task A_multipart_body_is_the_same_request_whatever_its_boundary()
    {
        var first = await Fingerprint(Multipart("----curlAAAA1111", "hello"), "multipart/form-data; boundary=----curlAAAA1111");
        var retry = await Fingerprint(Multipart("----curlBBBB2222", "hello"), "multipart/form-data; boundary=\"----curlBBBB2222\"");
        retry.ShouldBe(first);
    }

    [Fact]
    public async Task A_different_part_or_media_type_is_a_different_request()
    {
        var first = await Fingerprint(Multipart("b1", "hello"), "multipart/form-data; boundary=b1");
        (await Fingerprint(Multipart("b2", "hellp"), "multipart/form-data; boundary=b2")).ShouldNotBe(first);
        (await Fingerprint(Multipart("b1", "hello"), "multipart/mixed; boundary=b1")).ShouldNotBe(first);
    }

    [Fact]
    public async Task A_json_body_is_hashed_as_sent()
    {
        var body = Encoding.UTF8.GetBytes("""{"input":"--b1 is not a boundary here"}""");
        var first = await Fingerprint(body, "application/json");
        (await Fingerprint(body, "application/json")).ShouldBe(first);
        (await Fingerprint(Encoding.UTF8.GetBytes("""{"input":"--b2 is not a boundary here"}"""), "application/json")).ShouldNotBe(first);
    }

    private static byte[] Multipart(string boundary, string text) => Encoding.UTF8.GetBytes(
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nen\r\n" +
        $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n{text}\r\n" +
        $"--{boundary}--\r\n");

    private static async Task<byte[]> Fingerprint(byte[] body, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/ai/stt";
        context.Request.ContentType = contentType;
        context.Request.Body = new TrickleStream(body, 3);
        return await RequestFingerprint.ComputeAsync(context.Request);
    }

    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read.</summary>
    private sealed class TrickleStream(byte[] content, int chunk) : MemoryStream(content)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
