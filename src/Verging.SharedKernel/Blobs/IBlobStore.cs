namespace Verging.SharedKernel.Blobs;

/// <summary>A stored file: its key in the store, size and media type.</summary>
public sealed record StoredBlob(string Key, long Size, string ContentType);

/// <summary>
/// The blob-store port: generated audio and images, uploads and job outputs. Local disk by default;
/// an S3-compatible implementation can replace it without touching the modules.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="content"/> under a new key in <paramref name="folder"/> (e.g. "proxy/tts").</summary>
    Task<StoredBlob> PutAsync(string folder, string extension, Stream content, string contentType, CancellationToken cancellation);

    /// <summary>Opens a stored file, or null when there is none.</summary>
    Task<(Stream Content, string ContentType)?> OpenAsync(string key, CancellationToken cancellation);

    Task DeleteAsync(string key, CancellationToken cancellation);

    /// <summary>
    /// Stores a finished file from this machine under a new key in <paramref name="folder"/>. The
    /// store may take the file itself (a rename instead of a copy), so the caller must not use
    /// <paramref name="path"/> afterwards.
    /// </summary>
    async Task<StoredBlob> PutFileAsync(string folder, string extension, string path, string contentType, CancellationToken cancellation)
    {
        await using var file = File.OpenRead(path);
        return await PutAsync(folder, extension, file, contentType, cancellation);
    }

    /// <summary>Where a stored file is on this machine's disk, for reading only; null when the store is remote or the file is gone.</summary>
    string? LocalPath(string key) => null;
}
