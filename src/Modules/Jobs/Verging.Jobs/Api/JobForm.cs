using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Verging.Jobs.Domain;
using Verging.SharedKernel;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Http;
using Verging.SharedKernel.Media;
using Verging.SharedKernel.Validation;

namespace Verging.Jobs.Api;

/// <summary>
/// Reads and checks the multipart fields of the create-job endpoints, collecting every problem
/// into one 400. Files are typed by their bytes (never by name or declared type).
/// </summary>
public sealed class JobForm(IFormCollection form, string jobType)
{
    public const long MaxImageBytes = 10L * 1024 * 1024;
    private static readonly string[] ImageTypes = ["jpeg", "png", "webp"];

    public List<string> Problems { get; } = [];

    public static async Task<(JobForm? Form, ApiError? Error)> ReadAsync(HttpContext http, string jobType)
    {
        var (form, error) = await MultipartInput.ReadAsync(http);
        return error is not null ? (null, error) : (new JobForm(form!, jobType), null);
    }

    /// <summary>Characters as code points: an emoji or a CJK character is one.</summary>
    public const int MaxFileNameCharacters = 255;

    public string FileName()
    {
        var name = MultipartInput.Text(form, "file_name", null, int.MaxValue, Problems);
        if (string.IsNullOrWhiteSpace(name))
        {
            Problems.Add("file_name: required, the original file name");
        }
        else if (name.EnumerateRunes().Count() > MaxFileNameCharacters)
        {
            Problems.Add($"file_name: at most {MaxFileNameCharacters} characters");
        }
        else if (StoredText.Problem(name) is { } problem)
        {
            // Echoed to clients and handed to workers, who may log it or put it in a header or a path.
            Problems.Add($"file_name: {problem}");
        }

        return name ?? "";
    }

    /// <summary>The optional job_type field must name this endpoint's type when given.</summary>
    public void JobType()
    {
        var given = form["job_type"].ToString();
        if (given.Length > 0 && given != jobType)
        {
            Problems.Add($"job_type: this endpoint creates '{jobType}' jobs");
        }
    }

    public bool IsHd()
    {
        var raw = form["is_hd"].ToString();
        if (raw.Length == 0)
        {
            return false;
        }

        if (raw.Equals("true", StringComparison.OrdinalIgnoreCase) || raw == "1")
        {
            return true;
        }

        if (!raw.Equals("false", StringComparison.OrdinalIgnoreCase) && raw != "0")
        {
            Problems.Add("is_hd: must be true or false");
        }

        return false;
    }

    public double Duration(double max)
    {
        var raw = form["user_video_duration"].ToString();
        if (raw.Length == 0)
        {
            Problems.Add("user_video_duration: required, the video's duration in seconds");
            return 0;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || double.IsNaN(seconds) || seconds <= 0 || seconds > max)
        {
            Problems.Add($"user_video_duration: must be a number of seconds above 0 and at most {max}");
            return 0;
        }

        return seconds;
    }

    public string? Prompt()
    {
        var prompt = MultipartInput.Text(form, "prompt", null, 1000, Problems);
        if (StoredText.Problem(prompt, multiline: true) is { } problem)
        {
            Problems.Add($"prompt: {problem}");
        }

        return prompt;
    }

    public string? VideoUrlText()
    {
        var raw = form["target_video_url"].ToString();
        if (raw.Length == 0)
        {
            Problems.Add("target_video_url: required, the URL of the video (POST /api/v1/uploads gives one for a local file)");
            return null;
        }

        if (raw.Length > 2048 || !Uri.TryCreate(raw, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            Problems.Add("target_video_url: must be an absolute http or https URL of at most 2048 characters");
            return null;
        }

        return raw;
    }

    /// <summary>Our own signed URL becomes a blob key (read from the store, no HTTP); anything else must pass the SSRF pre-check.</summary>
    public static async Task<(JobInputs? Inputs, ApiError? Error)> ResolveVideoAsync(
        string url, BlobUrlSigner signer, IRemoteMediaFetcher fetcher, CancellationToken cancellation)
    {
        var uri = new Uri(url);
        if (signer.KeyFromOwnUrl(uri) is { } key)
        {
            return (new JobInputs(null, key, null), null);
        }

        try
        {
            await fetcher.CheckAsync(uri, "target_video_url", cancellation);
            return (new JobInputs(null, null, url), null);
        }
        catch (RemoteFetchRefusedException e)
        {
            return (null, ApiError.BadRequest(e.Message));
        }
    }

    /// <summary>The image part, checked for size (413) and type by content (415); null with the error otherwise.</summary>
    public async Task<(byte[]? Bytes, string? Type, ApiError? Error)> ImageAsync(string field, CancellationToken cancellation)
    {
        var file = form.Files.GetFile(field);
        if (file is null || file.Length == 0)
        {
            return (null, null, ApiError.BadRequest($"{field}: required, an image file (jpg, jpeg, png or webp, at most 10 MB)"));
        }

        if (file.Length > MaxImageBytes)
        {
            return (null, null, new ApiError(413, ErrorCodes.PayloadTooLarge, $"{field}: larger than the 10 MB limit"));
        }

        var bytes = await MultipartInput.ReadAllAsync(file, cancellation);
        var type = ContentSniffer.ImageType(bytes);
        if (type is null || !ImageTypes.Contains(type))
        {
            return (null, null, new ApiError(415, ErrorCodes.UnsupportedMediaType, $"{field}: not a jpg, png or webp image"));
        }

        return (bytes, type, null);
    }

    public ApiError? ProblemsError() => Problems.Count > 0 ? ApiError.BadRequest(string.Join("; ", Problems)) : null;
}
