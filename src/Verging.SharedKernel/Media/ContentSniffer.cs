namespace Verging.SharedKernel.Media;

/// <summary>Recognises file types by their first bytes, never by name or declared content type.</summary>
public static class ContentSniffer
{
    /// <summary>png, jpeg, gif or webp, else null.</summary>
    public static string? ImageType(ReadOnlySpan<byte> head) => head switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "png",
        [0xFF, 0xD8, 0xFF, ..] => "jpeg",
        [0x47, 0x49, 0x46, 0x38, ..] => "gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "webp",
        _ => null,
    };

    /// <summary>The audio/video containers speech-to-text accepts: mp3, mp4/m4a, mpeg, wav, webm; else null.</summary>
    public static string? AudioType(ReadOnlySpan<byte> head) => head switch
    {
        [0x49, 0x44, 0x33, ..] => "mp3",
        [0xFF, var b, ..] when (b & 0xE0) == 0xE0 => "mp3",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x41, 0x56, 0x45, ..] => "wav",
        [_, _, _, _, 0x66, 0x74, 0x79, 0x70, ..] => "mp4",
        [0x1A, 0x45, 0xDF, 0xA3, ..] => "webm",
        [0x00, 0x00, 0x01, 0xBA or 0xB3, ..] => "mpeg",
        _ => null,
    };

    public static string MediaType(string imageType) => imageType switch
    {
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    };
}
