namespace Verging.AiProxy.Providers.OpenAi;

/// <summary>An OpenAI-compatible upstream (configuration section <c>AiProxy:Upstream</c>).</summary>
public sealed class OpenAiOptions
{
    /// <summary>e.g. https://api.openai.com/v1; empty means "use the sandbox provider".</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Our model names to the upstream's (e.g. Azure deployment names); unmapped names pass through.</summary>
    public Dictionary<string, string> Models { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Time allowed for the whole call (streams: until the response headers arrive).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    public string MapModel(string model) => Models.TryGetValue(model, out var mapped) ? mapped : model;
}
