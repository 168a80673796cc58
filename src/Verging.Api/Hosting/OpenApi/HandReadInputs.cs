using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Verging.Api.Hosting.OpenApi;

/// <summary>
/// Inputs the generator cannot see because the endpoint reads them itself: the multipart forms (read field by
/// field, so each gets its own 400) and the job lists' query parameters. Written out here as the reference and
/// the endpoints define them; a test checks a sample against the running document.
/// </summary>
internal static class HandReadInputs
{
    private static readonly string[] JobStatuses = ["pending", "processing", "completed", "failed", "cancelled", "expired"];

    private static readonly Dictionary<string, Input[]> Forms = new(StringComparer.Ordinal)
    {
        ["api/v1/ai/stt"] =
        [
            File("file", "Audio to transcribe (mp3, mp4, mpeg, mpga, m4a, wav, webm; by content), at most 25 MB; billed by its decoded length"),
            Text("model", "STT model", "whisper-1"),
            Text("language", "ISO 639 code (en, zh, ja...)"),
            Text("response_format", "json, verbose_json (adds timed segments), or the transcript itself: text, srt, vtt", "json", ["json", "text", "srt", "verbose_json", "vtt"]),
            Number("temperature", "Sampling temperature", 0, 1),
        ],
        ["api/v1/ai/vision/upload"] =
        [
            Text("prompt", "Analysis instruction or question (at most 100,000 characters)", required: true),
            File("file", "png, jpeg, gif or webp image (by content), at most 20 MB"),
            Text("model", "Vision model", "gpt-4o"),
            Number("max_tokens", "Max tokens in the response", 1, 16_384, "1024", integer: true),
        ],
        ["api/v1/uploads"] = [File("file", "A video or image for a job, at most 500 MB; answered with a signed URL to use as target_video_url")],
        ["api/v1/faceswap/create-job"] =
        [
            File("swap_image", "Face image to swap onto the video"), Text("file_name", "Original filename", required: true),
            Text("target_video_url", "URL of the target video (an upload's URL, or any public URL)", required: true),
            Number("user_video_duration", "Video duration in seconds (the real one is measured; more than 1 s longer fails the job)", 0, 600, required: true),
            Text("job_type", "Job type identifier", "face-swap"), Flag("is_hd", "HD processing (3x credits)"),
        ],
        ["api/v1/video-enhance/create-job"] =
        [
            Text("file_name", "Original filename", required: true), Text("target_video_url", "URL of the video to enhance", required: true),
            Number("user_video_duration", "Video duration in seconds", 0, 600, required: true),
            Text("job_type", "Job type identifier", "video-enhance"), Flag("is_hd", "HD upscaling (5 credits/s)"),
        ],
        ["api/v1/image-to-video/create-job"] =
        [
            File("image", "The still to animate (png, jpeg, webp)"), Text("file_name", "Original filename", required: true),
            Number("user_video_duration", "Length of the video to make, in seconds", 0, 60, required: true), Text("prompt", "Camera motion wanted (at most 1,000 characters)"),
            Text("job_type", "Job type identifier", "image-to-video"), Flag("is_hd", "HD output (more credits per second)"),
        ],
        ["api/v1/background-removal/create-job"] =
        [
            File("image", "Image file (jpg, jpeg, png, webp, max 10 MB)"), Text("file_name", "Original filename", required: true),
            Text("job_type", "Job type identifier", "background-removal"),
        ],
    };

    private static readonly Input[] JobFilters =
    [
        Text("status", "Only jobs in this status", values: JobStatuses),
        Text("job_ids", "Comma-separated job ids (at most 100)"),
        Number("page", "Page, from 1", 1, 1_000_000, "1", integer: true),
        Number("page_size", "Jobs per page", 1, 100, "20", integer: true),
    ];

    private static readonly Dictionary<string, Input[]> Queries = new(StringComparer.Ordinal)
    {
        ["api/v1/faceswap/jobs"] = JobFilters,
        ["api/v1/video-enhance/jobs"] = JobFilters,
        ["api/v1/image-to-video/jobs"] = JobFilters,
        ["api/v1/background-removal/jobs"] = JobFilters,
        ["api/v1/jobs"] = JobFilters,
    };

    public static void Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var path = context.Description.RelativePath ?? string.Empty;
        if (Forms.TryGetValue(path, out var fields))
        {
            var form = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(),
                Properties = fields.ToDictionary(f => f.Name, f => (IOpenApiSchema)f.Schema()),
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = form } },
            };
        }

        if (Queries.TryGetValue(path, out var parameters))
        {
            operation.Parameters ??= [];
            foreach (var parameter in parameters.Where(p => !operation.Parameters.Any(existing => existing.Name == p.Name)))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = parameter.Name, In = ParameterLocation.Query, Description = parameter.Description, Schema = parameter.Schema(),
                });
            }
        }
    }

    private static Input File(string name, string description) => new(name, JsonSchemaType.String, description, Required: true, Format: "binary");

    private static Input Text(string name, string description, string? defaultValue = null, string[]? values = null, bool required = false) =>
        new(name, JsonSchemaType.String, description, required, Default: defaultValue, Values: values);

    private static Input Number(string name, string description, double min, double max, string? defaultValue = null, bool integer = false, bool required = false) =>
        new(name, integer ? JsonSchemaType.Integer : JsonSchemaType.Number, description, required, Default: defaultValue, Min: min, Max: max);

    private static Input Flag(string name, string description) => new(name, JsonSchemaType.Boolean, description, Default: "false");

    private sealed record Input(
        string Name, JsonSchemaType Type, string Description, bool Required = false, string? Format = null, string? Default = null,
        string[]? Values = null, double? Min = null, double? Max = null)
    {
        public OpenApiSchema Schema() => new()
        {
            Type = Type,
            Format = Format,
            Description = Description,
            Default = Default is null ? null : Type == JsonSchemaType.String ? JsonValue.Create(Default) : JsonNode.Parse(Default),
            Enum = Values?.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
            // A duration of 0 is refused: its lower bound is exclusive.
            Minimum = Name.EndsWith("duration", StringComparison.Ordinal) ? null : Min?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ExclusiveMinimum = Name.EndsWith("duration", StringComparison.Ordinal) ? Min?.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            Maximum = Max?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
