using System.Collections.Concurrent;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Verging.IntegrationTests.Blobs;

/// <summary>
/// A fake S3-compatible service on 127.0.0.1: path-style PUT/GET/HEAD/DELETE of objects in one bucket,
/// kept in memory. Every request must carry an AWS4-HMAC-SHA256 Authorization header whose credential
/// names the expected access key, region and service, and whose signature (headers and payload hash
/// as signed; chunk signatures are not checked) verifies with the secret key, or it is refused with
/// 403 as S3 would.
/// </summary>
public sealed class FakeS3(string bucket, string accessKey, string secretKey, string region) : IAsyncDisposable
{
    private WebApplication? _app;

    public string ServiceUrl { get; private set; } = string.Empty;
    public ConcurrentDictionary<string, (byte[] Bytes, string ContentType)> Objects { get; } = new();

    /// <summary>Authorization headers of every request, accepted or not.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public int Refused => Volatile.Read(ref _refused);
    private int _refused;

    /// <summary>When set, every request fails with 500 InternalError (an outage).</summary>
    public bool Failing { get; set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        ServiceUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        Authorizations.Enqueue(authorization);
        if (!IsSignedForUs(http, authorization))
        {
            Interlocked.Increment(ref _refused);
            await ErrorAsync(http, 403, "InvalidAccessKeyId", "The access key, credential scope or signature does not match.");
            return;
        }

        if (Failing)
        {
            await ErrorAsync(http, 500, "InternalError", "We encountered an internal error. Please try again.");
            return;
        }

        var path = http.Request.Path.Value!.TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || path[..slash] != bucket)
        {
            await ErrorAsync(http, 404, "NoSuchBucket", "The specified bucket does not exist.");
            return;
        }

        var key = path[(slash + 1)..];
        switch (http.Request.Method)
        {
            case "PUT":
                var bytes = await ReadBodyAsync(http.Request);
                Objects[key] = (bytes, http.Request.ContentType ?? "binary/octet-stream");
                http.Response.Headers.ETag = ETag(bytes);
                return;
            case "GET" or "HEAD":
                if (!Objects.TryGetValue(key, out var found))
                {
                    await ErrorAsync(http, 404, "NoSuchKey", "The specified key does not exist.");
                    return;
                }

                http.Response.ContentType = found.ContentType;
                http.Response.ContentLength = found.Bytes.Length;
                http.Response.Headers.ETag = ETag(found.Bytes);
                http.Response.Headers.LastModified = DateTimeOffset.UtcNow.ToString("R");
                if (http.Request.Method == "GET")
                {
                    await http.Response.Body.WriteAsync(found.Bytes);
                }

                return;
            case "DELETE":
                Objects.TryRemove(key, out _);
                http.Response.StatusCode = 204;
                return;
            default:
                await ErrorAsync(http, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
                return;
        }
    }

    /// <summary>"AWS4-HMAC-SHA256 Credential=AKID/20261201/region/s3/aws4_request, SignedHeaders=..., Signature=..."</summary>
    private bool IsSignedForUs(HttpContext http, string authorization)
    {
        const string Scheme = "AWS4-HMAC-SHA256 ";
        if (!authorization.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = authorization[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("Signature", out var signature) || signature.Length != 64)
        {
            return false;
        }

        var scope = credential.Split('/');
        return scope is [var key, { Length: 8 } date, var scopeRegion, "s3", "aws4_request"] && key == accessKey && scopeRegion == region
            && parts.TryGetValue("SignedHeaders", out var signedHeaders)
            && signature == ExpectedSignature(http.Request, date, signedHeaders.Split(';'));
    }

    /// <summary>Signature Version 4 as S3 computes it (S3 does not double-encode the path).</summary>
    private string ExpectedSignature(HttpRequest request, string date, string[] signedHeaders)
    {
        var target = request.HttpContext.Features.Get<IHttpRequestFeature>()!.RawTarget.Split('?', 2);
        var query = target.Length == 2
            ? string.Join('&', target[1].Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=").Order(StringComparer.Ordinal))
            : string.Empty;
        var headers = string.Concat(signedHeaders.Select(h => $"{h}:{string.Join(' ', request.Headers[h].ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))}\n"));
        var canonical = $"{request.Method}\n{target[0]}\n{query}\n{headers}\n{string.Join(';', signedHeaders)}\n{request.Headers["x-amz-content-sha256"]}";
        var toSign = $"AWS4-HMAC-SHA256\n{request.Headers["x-amz-date"]}\n{date}/{region}/s3/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signingKey = new[] { date, region, "s3", "aws4_request" }
            .Aggregate(Encoding.UTF8.GetBytes("AWS4" + secretKey), (key, part) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part)));
        return Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(toSign)));
    }

    /// <summary>The SDK streams uploads as aws-chunked ("size;chunk-signature=...\r\ndata\r\n" ... "0;...\r\n"); MinIO and S3 decode it.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var raw = new MemoryStream();
        await request.Body.CopyToAsync(raw);
        var body = raw.ToArray();
        var contentSha = request.Headers["x-amz-content-sha256"].ToString();
        if (!contentSha.StartsWith("STREAMING-", StringComparison.Ordinal) && !request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.Ordinal))
        {
            return body;
        }

        using var decoded = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            var header = Encoding.ASCII.GetString(body, position, lineEnd);
            var size = Convert.ToInt32(header.Split(';')[0], 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            decoded.Write(body, position, size);
            position += size + 2;
        }

        var expected = request.Headers["x-amz-decoded-content-length"].ToString();
        if (expected.Length > 0 && long.Parse(expected, System.Globalization.CultureInfo.InvariantCulture) != decoded.Length)
        {
            throw new InvalidOperationException($"aws-chunked body decoded to {decoded.Length} bytes, header said {expected}");
        }

        return decoded.ToArray();
    }

    /// <summary>S3's ETag of a simple upload is the MD5 of the object, and the SDK checks downloads against it.</summary>
#pragma warning disable CA5351 // MD5 is the wire format here, not a security choice.
    private static string ETag(byte[] bytes) => $"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"";
#pragma warning restore CA5351

    private static async Task ErrorAsync(HttpContext http, int status, string code, string message)
    {
        http.Response.StatusCode = status;
        if (http.Request.Method == "HEAD")
        {
            return;
        }

        http.Response.ContentType = "application/xml";
        await http.Response.WriteAsync($"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message><RequestId>fake-s3</RequestId></Error>""");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
