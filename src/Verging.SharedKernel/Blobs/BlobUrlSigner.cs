using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Verging.SharedKernel.Blobs;

/// <summary>
/// Absolute URLs to stored files that work until they expire: <c>/files/{key}?expires=unix&amp;sig=hmac</c>,
/// where sig = HMAC-SHA256(key, "{key}\n{expires}"). Nothing else gives access to a file.
/// </summary>
public sealed class BlobUrlSigner
{
    public const string RoutePrefix = "/files/";

    private readonly byte[] _key;
    private readonly BlobOptions _options;
    private readonly TimeProvider _clock;

    public BlobUrlSigner(IOptions<BlobOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _key = string.IsNullOrEmpty(_options.SigningKey) ? LoadOrCreateKey(_options.Root) : Encoding.UTF8.GetBytes(_options.SigningKey);
    }

    public (string Url, DateTimeOffset ExpiresAt) SignedUrl(HttpRequest request, string key, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var expiresAt = _clock.GetUtcNow() + (lifetime ?? _options.UrlLifetime);
        var expires = expiresAt.ToUnixTimeSeconds();
        var origin = string.IsNullOrEmpty(_options.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}" : _options.PublicBaseUrl.TrimEnd('/');
        return ($"{origin}{RoutePrefix}{key}?expires={expires}&sig={Sign(key, expires)}", DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    /// <summary>True when the signature is ours and the URL has not expired.</summary>
    public bool IsValid(string key, string? expires, string? signature)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        if (DateTimeOffset.FromUnixTimeSeconds(unix) < _clock.GetUtcNow())
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, unix));
        var presented = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    /// <summary>Parses a URL of ours back to its key (for reading our own files without an HTTP request).</summary>
    public string? KeyFromOwnUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.AbsolutePath.StartsWith(RoutePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var key = Uri.UnescapeDataString(url.AbsolutePath[RoutePrefix.Length..]);
        var query = QueryString(url.Query);
        return IsValid(key, query.GetValueOrDefault("expires"), query.GetValueOrDefault("sig")) ? key : null;
    }

    private string Sign(string key, long expires) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{key}\n{expires}")));

    private static Dictionary<string, string> QueryString(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => Uri.UnescapeDataString(g.First()[1]));

    private static byte[] LoadOrCreateKey(string root)
    {
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, ".url-signing-key");
        if (!File.Exists(path))
        {
            // Written whole under a name of its own, then hard-linked into place (link() never replaces an
            // existing name): instances starting together on one shared folder never read a half-written
            // key, and the first link made is the key every instance uses. (File.Move checks, then renames:
            // two instances could both pass the check.)
            var draft = Path.Combine(root, $".url-signing-key-draft-{Guid.NewGuid():N}");
            File.WriteAllBytes(draft, RandomNumberGenerator.GetBytes(32));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(draft, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            if (!LocalFiles.TryHardLink(draft, path) && !OperatingSystem.IsLinux() && !File.Exists(path))
            {
                File.Move(draft, path);
            }

            File.Delete(draft);
        }

        return File.ReadAllBytes(path);
    }
}
