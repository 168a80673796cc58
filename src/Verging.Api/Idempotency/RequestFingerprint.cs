using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Verging.Api.Idempotency;

/// <summary>
/// SHA-256 of what makes two requests "the same request" for an Idempotency-Key: method, path, query, media
/// type and body. A multipart body is hashed with its boundary replaced by a fixed token (and the boundary
/// left out of the media type): curl, browsers and HTTP libraries pick a new random boundary for every request,
/// so an honest retry of an upload would otherwise never match its first attempt.
/// </summary>
internal static class RequestFingerprint
{
    private static readonly byte[] BoundaryToken = "\0boundary\0"u8.ToArray();

    public static async Task<byte[]> ComputeAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var boundary = MultipartBoundary(request.ContentType, out var mediaType);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}\n{request.QueryString}\n{mediaType}\n"));
        var replacer = new BoundaryReplacer(boundary, hash);
        var buffer = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            replacer.Append(buffer.AsSpan(0, read));
        }

        replacer.Finish();
        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    /// <summary>The multipart boundary as it appears in the body ("--" + boundary), or null; <paramref name="mediaType"/> is the Content-Type without it.</summary>
    private static byte[]? MultipartBoundary(string? contentType, out string? mediaType)
    {
        mediaType = contentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            || !parsed.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var boundary = HeaderUtilities.RemoveQuotes(parsed.Boundary).ToString();
        if (boundary.Length == 0)
        {
            return null;
        }

        parsed.Boundary = null;
        mediaType = parsed.ToString();
        return Encoding.ASCII.GetBytes("--" + boundary);
    }

    /// <summary>Feeds the hash with every occurrence of a byte string replaced by a token, across chunk edges.</summary>
    private sealed class BoundaryReplacer(byte[]? pattern, IncrementalHash hash)
    {
        private byte[] _carry = [];

        public void Append(ReadOnlySpan<byte> chunk)
        {
            if (pattern is null)
            {
                hash.AppendData(chunk);
                return;
            }

            // The last pattern.Length - 1 bytes of a chunk may start an occurrence that ends in the next one.
            var data = _carry.Length == 0 ? chunk : [.. _carry, .. chunk];
            var position = 0;
            int found;
            while ((found = data[position..].IndexOf(pattern)) >= 0)
            {
                hash.AppendData(data.Slice(position, found));
                hash.AppendData(BoundaryToken);
                position += found + pattern.Length;
            }

            var keep = Math.Max(position, data.Length - (pattern.Length - 1));
            hash.AppendData(data[position..keep]);
            _carry = data[keep..].ToArray();
        }

        public void Finish()
        {
            hash.AppendData(_carry);
            _carry = [];
        }
    }
}
