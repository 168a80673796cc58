using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Verging.AiProxy.Providers.OpenAi;

/// <summary>
/// Speaks the OpenAI REST wire format: <c>POST {base}/chat/completions</c>, plain or SSE with
/// <c>stream_options.include_usage</c>; vision as a chat with an image part. Transient failures
/// before any byte reached the client are retried by the HttpClient's resilience pipeline.
/// </summary>
public sealed class OpenAiCompatibleProvider(HttpClient http, IOptions<OpenAiOptions> options) : IAiProvider
{
    public const string HttpClientName = "openai-compatible";

    public string Name => "openai-compatible";

    public async Task<ChatCompletionResult> CompleteAsync(ChatCompletionRequest request, CancellationToken cancellation)
    {
        using var response = await SendAsync(request, stream: false, cancellation);
        var body = await ReadJsonAsync(response, cancellation);
        return WireAnswer.Read("chat completion", body, () =>
        {
            var content = body["choices"] is JsonArray { Count: > 0 } choices ? choices[0]?["message"]?["content"]?.GetValue<string>() : null;
            if (content is null)
            {
                throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned no completion", (int)response.StatusCode, body);
            }

            var usage = body["usage"];
            return new ChatCompletionResult(
                content,
                WireAnswer.Tokens(usage?["prompt_tokens"]) ?? 0,
                WireAnswer.Tokens(usage?["completion_tokens"]) ?? 0,
                body["model"]?.GetValue<string>() ?? request.Model);
        });
    }

    public async IAsyncEnumerable<ChatChunk> StreamAsync(ChatCompletionRequest request, [EnumeratorCancellation] CancellationToken cancellation)
    {
        using var response = await SendAsync(request, stream: true, cancellation);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // The stream is complete at [DONE], or at its end once the usage chunk or a finish_reason came;
        // a connection that closes before either cut the answer short.
        var finished = false;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellation);
            if (line is null)
            {
                if (!finished)
                {
                    throw new ProviderException(ProviderFailure.UpstreamError, "The provider's stream ended before the answer was complete");
                }

                yield break;
            }

            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            var data = line.AsSpan(5).Trim();
            if (data.SequenceEqual("[DONE]"))
            {
                yield break;
            }

            var payload = data.ToString();
            var chunk = WireAnswer.Read("stream chunk", null, () => JsonNode.Parse(payload));
            if (chunk?["error"] is { } error)
            {
                throw new ProviderException(ProviderFailure.UpstreamError, "The provider failed mid-stream", null, error);
            }

            // The usage chunk that include_usage adds at the end has an empty choices array.
            var (delta, usage, finishReason) = WireAnswer.Read("stream chunk", chunk, () =>
            {
                var choice = chunk?["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;
                return (choice?["delta"]?["content"]?.GetValue<string>(), chunk?["usage"] as JsonObject, choice?["finish_reason"]?.GetValue<string>());
            });
            finished |= usage is not null || finishReason is not null;
            if (delta is not null || usage is not null)
            {
                var tokens = WireAnswer.Read("stream usage", chunk, () => (Prompt: WireAnswer.Tokens(usage?["prompt_tokens"]), Completion: WireAnswer.Tokens(usage?["completion_tokens"])));
                yield return new ChatChunk(delta, tokens.Prompt, tokens.Completion);
            }
        }
    }

    public async Task<IReadOnlyList<GeneratedImage>> GenerateImagesAsync(ImageGenerationRequest request, CancellationToken cancellation)
    {
        var model = options.Value.MapModel(request.Model);
        var dalle = model.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase);
        var body = new JsonObject
        {
            ["model"] = model,
            ["prompt"] = request.Prompt,
            ["n"] = request.Count,
            ["size"] = request.Size,
            // dall-e-3 knows standard/hd; gpt-image-1 knows low/medium/high/auto.
            ["quality"] = dalle ? (request.Quality == "hd" ? "hd" : "standard") : request.Quality switch { "hd" => "high", "standard" => "medium", _ => "auto" },
        };
        if (dalle)
        {
            body["response_format"] = "b64_json";
        }

        using var response = await PostAsync("images/generations", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellation);
        var json = await ReadJsonAsync(response, cancellation);
        var images = new List<GeneratedImage>();
        var items = WireAnswer.Read("image list", json, () => json["data"]?.AsArray() ?? []);
        foreach (var item in items)
        {
            var (png, url) = WireAnswer.Read("image", json, () =>
                item?["b64_json"]?.GetValue<string>() is { Length: > 0 } b64 ? (Convert.FromBase64String(b64), null)
                : (null as byte[], item?["url"]?.GetValue<string>() is { Length: > 0 } link && Uri.TryCreate(link, UriKind.Absolute, out var uri) ? uri : null));
            if (png is not null)
            {
                images.Add(new GeneratedImage(png));
            }
            else if (url is not null)
            {
                images.Add(new GeneratedImage(await http.GetByteArrayAsync(url, cancellation)));
            }
        }

        return images;
    }

    public async Task<SpeechAudio> SpeakAsync(SpeechRequest request, CancellationToken cancellation)
    {
        var body = new JsonObject
        {
            ["model"] = options.Value.MapModel(request.Model),
            ["input"] = request.Input,
            ["voice"] = request.Voice,
            ["response_format"] = request.Format,
            ["speed"] = request.Speed,
        };
        using var response = await PostAsync("audio/speech", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellation);
        var audio = await response.Content.ReadAsByteArrayAsync(cancellation);
        return new SpeechAudio(audio, request.Format, request.Model);
    }

    public async Task<Transcription> TranscribeAsync(TranscriptionRequest request, CancellationToken cancellation)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(request.Audio), "file", request.FileName },
            { new StringContent(options.Value.MapModel(request.Model)), "model" },
            { new StringContent(request.ResponseFormat), "response_format" },
        };
        if (request.Language is { } language)
        {
            form.Add(new StringContent(language), "language");
        }

        if (request.Temperature is { } temperature)
        {
            form.Add(new StringContent(temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)), "temperature");
        }

        using var response = await PostAsync("audio/transcriptions", form, cancellation);
        if (request.ResponseFormat is not ("json" or "verbose_json"))
        {
            // text, srt and vtt come back as the document itself; it is passed on as the provider wrote it.
            var document = await response.Content.ReadAsStringAsync(cancellation);
            return string.IsNullOrWhiteSpace(document)
                ? throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned no transcript", (int)response.StatusCode)
                : new Transcription(document, request.Language, request.Model, Document: document);
        }

        var json = await ReadJsonAsync(response, cancellation);
        return WireAnswer.Read("transcript", json, () =>
        {
            var text = json["text"]?.GetValue<string>()
                ?? throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned no transcript", (int)response.StatusCode, json);
            var segments = json["segments"]?.AsArray()
                .Select((segment, i) => new TranscriptSegment(segment?["id"]?.GetValue<int>() ?? i,
                    segment!["start"]!.GetValue<double>(), segment["end"]!.GetValue<double>(), segment["text"]!.GetValue<string>()))
                .ToList();
            return new Transcription(text, json["language"]?.GetValue<string>() ?? request.Language, request.Model, segments);
        });
    }

    private Task<HttpResponseMessage> SendAsync(ChatCompletionRequest request, bool stream, CancellationToken cancellation) =>
        PostAsync("chat/completions", new StringContent(Body(request, stream, options.Value).ToJsonString(), Encoding.UTF8, "application/json"), cancellation);

    private async Task<HttpResponseMessage> PostAsync(string path, HttpContent content, CancellationToken cancellation)
    {
        var settings = options.Value;
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (!string.IsNullOrEmpty(settings.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellation);
        }
        catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            throw new ProviderException(ProviderFailure.Timeout, "The provider did not answer in time", inner: e);
        }
        catch (Polly.Timeout.TimeoutRejectedException e)
        {
            throw new ProviderException(ProviderFailure.Timeout, "The provider did not answer in time", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new ProviderException(ProviderFailure.Unreachable, "The provider could not be reached", inner: e);
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new ProviderException(ProviderFailure.Unreachable, "The provider is failing; calls are paused briefly", inner: e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var error = await TryReadJsonAsync(response, cancellation);
                throw new ProviderException(ProviderFailure.UpstreamError, $"The provider answered {(int)response.StatusCode}",
                    (int)response.StatusCode, error?["error"] ?? error);
            }
        }

        return response;
    }

    private static JsonObject Body(ChatCompletionRequest request, bool stream, OpenAiOptions settings)
    {
        var messages = new JsonArray();
        foreach (var m in request.Messages)
        {
            messages.Add(new JsonObject { ["role"] = m.Role, ["content"] = m.Content });
        }

        if (request.Image is { } image && messages.Count > 0)
        {
            // Vision: the last user message becomes [text, image_url] with the image as a data: URL. A client's URL
            // was fetched by us already; it is never forwarded (a self-hosted provider would fetch it unchecked).
            var last = (JsonObject)messages[^1]!;
            var url = $"data:{image.MediaType};base64,{Convert.ToBase64String(image.Content)}";
            last["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = last["content"]!.GetValue<string>() },
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } });
        }

        var body = new JsonObject
        {
            ["model"] = settings.MapModel(request.Model),
            ["messages"] = messages,
            ["max_tokens"] = request.MaxTokens,
            ["stream"] = stream,
        };
        if (request.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (stream)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellation) =>
        await TryReadJsonAsync(response, cancellation)
        ?? throw new ProviderException(ProviderFailure.EmptyResult, "The provider returned a body that is not JSON", (int)response.StatusCode);

    private static async Task<JsonNode?> TryReadJsonAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellation);
            return await JsonNode.ParseAsync(stream, cancellationToken: cancellation);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
