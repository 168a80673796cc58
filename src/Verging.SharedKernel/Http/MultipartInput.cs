using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Verging.SharedKernel.Http;

/// <summary>Reading multipart forms into the public error format.</summary>
public static class MultipartInput
{
    public static async Task<(IFormCollection? Form, ApiError? Error)> ReadAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return (null, new ApiError(415, ErrorCodes.UnsupportedMediaType, "Unsupported media type: send multipart/form-data"));
        }

        try
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            return Repeated(form) is { } name
                ? (null, ApiError.BadRequest($"{ClientText.Echo(name)}: given more than once; give each field once"))
                : (form, null);
        }
        catch (InvalidDataException e)
        {
            return (null, ApiError.BadRequest($"Malformed multipart body: {e.Message}"));
        }
        catch (IOException e) when (e is not BadHttpRequestException && !http.RequestAborted.IsCancellationRequested)
        {
            // The body ended before the closing boundary ("Unexpected end of Stream"). A body over its
            // limit (BadHttpRequestException, 413) and a client that went away are not this.
            return (null, ApiError.BadRequest("Malformed multipart body: it ends before its closing boundary"));
        }
    }

    // A field or file given twice has no one meaning (which prompt, which file is billed?): refused, as a
    // repeated query parameter is, rather than joined ("one,two") or silently cut to the first. Names are
    // compared as the form reads them, ignoring case ("file" and "FILE" are one field), and a name given
    // once as text and once as a file is given twice too.
    private static string? Repeated(IFormCollection form) =>
        form.Keys.FirstOrDefault(k => form[k].Count > 1)
        ?? form.Files.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key
        ?? form.Files.Select(f => f.Name).FirstOrDefault(form.ContainsKey);

    public static string? Text(IFormCollection form, string name, string? fallback, int maxLength, List<string> problems)
    {
        var value = form[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (value.Length > maxLength)
        {
            problems.Add($"{name}: at most {maxLength} characters");
        }

        return value;
    }

    public static double? Number(IFormCollection form, string name, double min, double max, List<string> problems)
    {
        var value = form[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // NaN passes no comparison, so it would slip between min and max: only finite numbers are numbers here.
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number)
            || number < min || number > max)
        {
            problems.Add($"{name}: must be a number from {min} to {max}");
            return null;
        }

        return number;
    }

    /// <summary>A whole number (max_tokens): "1.5" is refused rather than read as a fraction of a token.</summary>
    public static long? WholeNumber(IFormCollection form, string name, long min, long max, List<string> problems)
    {
        var value = form[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            problems.Add($"{name}: must be a whole number from {min} to {max}");
            return null;
        }

        return number;
    }

    public static async Task<byte[]> ReadAllAsync(IFormFile file, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellation);
        return buffer.ToArray();
    }
}
