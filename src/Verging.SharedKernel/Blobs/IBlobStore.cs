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
}
