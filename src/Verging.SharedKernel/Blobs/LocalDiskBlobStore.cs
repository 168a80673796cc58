using Microsoft.Extensions.Options;

namespace Verging.SharedKernel.Blobs;

public sealed class BlobOptions
{
    /// <summary>Folder of the local store (run.sh: .data/blobs).</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "verging-blobs");

    /// <summary>Key for signing URLs; when empty, one is created once in the store's folder (shared by instances sharing the disk).</summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a signed URL works.</summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Absolute base of returned URLs (e.g. https://cdn.example.com); when empty, the request's own scheme and host.</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>Files on local disk under <see cref="BlobOptions.Root"/>; keys are "folder/yyyy/MM/dd/guid.ext".</summary>
public sealed class LocalDiskBlobStore(IOptions<BlobOptions> options, TimeProvider clock) : IBlobStore
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".webp"] = "image/webp", [".gif"] = "image/gif",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".opus"] = "audio/ogg", [".aac"] = "audio/aac", [".flac"] = "audio/flac",
        [".pcm"] = "audio/L16", [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".m4a"] = "audio/mp4", [".json"] = "application/json",
    };

    public async Task<StoredBlob> PutAsync(string folder, string extension, Stream content, string contentType, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(content);
        var (key, path) = NewKey(folder, extension);
        var temporary = path + ".partial";
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await content.CopyToAsync(file, cancellation);
        }

        // Readers never see half a file: it appears under its key only once complete.
        File.Move(temporary, path);
        return new StoredBlob(key, new FileInfo(path).Length, contentType);
    }

    /// <summary>
    /// Moves the file in: a rename when it is on the store's file system (no copy and no new file,
    /// which on ext4 is what a job's files cost most), a copy otherwise. Under its key only once complete.
    /// </summary>
    public Task<StoredBlob> PutFileAsync(string folder, string extension, string path, string contentType, CancellationToken cancellation)
    {
        var (key, final) = NewKey(folder, extension);
        var temporary = final + ".partial";
        File.Move(path, temporary);
        File.Move(temporary, final);
        return Task.FromResult(new StoredBlob(key, new FileInfo(final).Length, contentType));
    }

    public string? LocalPath(string key)
    {
        var path = PathFor(key);
        return File.Exists(path) ? path : null;
    }

    public Task<(Stream Content, string ContentType)?> OpenAsync(string key, CancellationToken cancellation)
    {
        var path = PathFor(key);
        if (!File.Exists(path))
        {
            return Task.FromResult<(Stream, string)?>(null);
        }

        Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        return Task.FromResult<(Stream, string)?>((stream, type));
    }

    public Task DeleteAsync(string key, CancellationToken cancellation)
    {
        var path = PathFor(key);
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        return Task.CompletedTask;
    }

    private (string Key, string Path) NewKey(string folder, string extension)
    {
        var now = clock.GetUtcNow();
        var key = $"{folder.Trim('/')}/{now:yyyy/MM/dd}/{Guid.CreateVersion7(now):N}.{extension.TrimStart('.')}";
        var path = PathFor(key);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return (key, path);
    }

    /// <summary>Maps a key to a path inside the root, refusing anything that would leave it.</summary>
    public string PathFor(string key)
    {
        var root = Path.GetFullPath(options.Value.Root);
        var path = Path.GetFullPath(Path.Combine(root, key));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || key.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("Invalid blob key", nameof(key));
        }

        return path;
    }
}
