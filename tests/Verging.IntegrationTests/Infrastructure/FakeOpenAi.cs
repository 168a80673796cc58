using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// A fake upstream on 127.0.0.1 speaking OpenAI's wire format (chat completions, plain and SSE with
/// stream_options.include_usage), whose behaviour a test switches, and which counts its calls.
/// </summary>
public sealed class FakeOpenAi : IAsyncDisposable
{
    /// <summary>
    /// How the next calls are answered. MalformedAnswer breaks the wire format: a number as the chat
    /// content and fractional usage, a stream chunk that is not JSON, base64 that is not. StreamDropped
    /// closes a stream after two chunks, with neither usage nor [DONE].
    /// </summary>
    public enum Mode { Normal, ServerError, Slow, StreamFailsMidway, Empty, MalformedAnswer, StreamDropped }

    private WebApplication? _app;
    private int _calls;

    public Mode Behaviour { get; set; } = Mode.Normal;
    public int Calls => Volatile.Read(ref _calls);
    public string BaseUrl { get; private set; } = string.Empty;
    public JsonNode? LastRequest { get; private set; }

    /// <summary>Chunks streamed per response, and the pause between them (to test disconnects).</summary>
    public int StreamChunks { get; set; } = 5;
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;
    public int StreamCancelled => Volatile.Read(ref _cancelled);
    private int _cancelled;

    /// <summary>Completes when a chat completion call arrives (since the last <see cref="Reset"/>).</summary>
    public Task ChatCalled => _chatCalled.Task;
    private TaskCompletionSource _chatCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/chat/completions", HandleAsync);
        _app.MapPost("/v1/images/generations", ImagesAsync);
        _app.MapPost("/v1/audio/speech", SpeechAsync);
        _app.MapPost("/v1/audio/transcriptions", TranscriptionAsync);
        _app.MapGet("/media/{name}", MediaAsync);
        await _app.StartAsync();
        _origin = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = _origin + "/v1";
    }

    private string _origin = string.Empty;

    /// <summary>
    /// Files the same server also hosts under /media/{name} (as a customer's image host would), for vision's
    /// image_url; a name not in here is a 404. Requests for them are counted apart from provider calls.
    /// </summary>
    public Dictionary<string, (byte[] Body, string ContentType)> Media { get; } = [];

    public int MediaRequests => Volatile.Read(ref _mediaRequests);
    private int _mediaRequests;

    public string MediaUrl(string name) => $"{_origin}/media/{name}";

    private async Task MediaAsync(HttpContext http, string name)
    {
        Interlocked.Increment(ref _mediaRequests);
        if (!Media.TryGetValue(name, out var file))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = file.ContentType;
        await http.Response.Body.WriteAsync(file.Body);
    }

    /// <summary>How many images the fake returns, whatever was asked (null: as many as asked).</summary>
    public int? ImagesReturned { get; set; }

    /// <summary>The fields of the last multipart transcription request, and its file's size.</summary>
    public Dictionary<string, string> LastForm { get; } = [];
    public long LastFileBytes { get; private set; }

    public void Reset()
    {
        ImagesReturned = null;
        Media.Clear();
        Interlocked.Exchange(ref _mediaRequests, 0);
        Behaviour = Mode.Normal;
        StreamChunks = 5;
        ChunkDelay = TimeSpan.Zero;
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _cancelled, 0);
        _chatCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task HandleAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        var request = await JsonNode.ParseAsync(http.Request.Body);
        LastRequest = request;
        _chatCalled.TrySetResult();
        var stream = request?["stream"]?.GetValue<bool>() == true;
        switch (Behaviour)
        {
            case Mode.ServerError:
                http.Response.StatusCode = 500;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "The server had an error", type = "server_error", code = "internal" } });
                return;
            case Mode.Slow:
                await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        if (!stream && Behaviour == Mode.MalformedAnswer)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("""{"choices":[{"message":{"role":"assistant","content":123}}],"usage":{"prompt_tokens":5.0,"completion_tokens":1.5}}""");
            return;
        }

        if (!stream)
        {
            var content = Behaviour == Mode.Empty ? string.Empty : "Quantum computing uses qubits.";
            await http.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake",
                @object = "chat.completion",
                model = "gpt-4o-2024-08-06",
                choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 24, completion_tokens = 85, total_tokens = 109 },
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        try
        {
            for (var i = 0; i < StreamChunks; i++)
            {
                if (Behaviour == Mode.StreamFailsMidway && i == 2)
                {
                    await Write(http, new { error = new { message = "overloaded", type = "server_error" } });
                    return;
                }

                if (Behaviour == Mode.MalformedAnswer && i == 2)
                {
                    await http.Response.WriteAsync("data: {not json\n\n", http.RequestAborted);
                    return;
                }

                if (Behaviour == Mode.StreamDropped && i == 2)
                {
                    return;
                }

                await Write(http, new { id = "chatcmpl-fake", @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta = new { content = $"word{i} " } } } });
                if (ChunkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(ChunkDelay, http.RequestAborted);
                }
            }

            await Write(http, new { id = "chatcmpl-fake", @object = "chat.completion.chunk", choices = Array.Empty<object>(), usage = new { prompt_tokens = 10, completion_tokens = StreamChunks * 2, total_tokens = 10 + (StreamChunks * 2) } });
            await http.Response.WriteAsync("data: [DONE]\n\n");
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
        }
    }

    private async Task ImagesAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        LastRequest = await JsonNode.ParseAsync(http.Request.Body);
        if (Behaviour == Mode.ServerError)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsJsonAsync(new { error = new { message = "image backend down", type = "server_error" } });
            return;
        }

        var count = ImagesReturned ?? LastRequest!["n"]!.GetValue<int>();
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(8, 8);
        using var png = new MemoryStream();
        await SixLabors.ImageSharp.ImageExtensions.SaveAsPngAsync(image, png);
        var b64 = Behaviour == Mode.MalformedAnswer ? "not base64 at all!" : Convert.ToBase64String(png.ToArray());
        await http.Response.WriteAsJsonAsync(new { created = 1, data = Enumerable.Range(0, count).Select(_ => new { b64_json = b64 }) });
    }

    private async Task SpeechAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        LastRequest = await JsonNode.ParseAsync(http.Request.Body);
        http.Response.ContentType = "audio/mpeg";
        await http.Response.Body.WriteAsync(await TestMedia.ToneAsync(1, "mp3"));
    }

    private async Task TranscriptionAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        var form = await http.Request.ReadFormAsync();
        LastForm.Clear();
        foreach (var (k, v) in form)
        {
            LastForm[k] = v.ToString();
        }

        LastFileBytes = form.Files.GetFile("file")?.Length ?? 0;
        // As OpenAI answers each response_format: JSON for json and verbose_json, the document itself otherwise.
        const string text = "hello from the fake whisper";
        switch (form["response_format"].ToString())
        {
            case "verbose_json":
                await http.Response.WriteAsJsonAsync(new
                {
                    task = "transcribe", language = "english", duration = 4.0, text,
                    segments = new[] { new { id = 0, seek = 0, start = 0.0, end = 1.5, text = "hello from" }, new { id = 1, seek = 0, start = 1.5, end = 4.0, text = " the fake whisper" } },
                });
                break;
            case "text":
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync(text + "\n");
                break;
            case "srt":
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync($"1\n00:00:00,000 --> 00:00:04,000\n{text}\n\n");
                break;
            case "vtt":
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync($"WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n{text}\n\n");
                break;
            default:
                await http.Response.WriteAsJsonAsync(new { text });
                break;
        }
    }

    private static async Task Write(HttpContext http, object chunk)
    {
        await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(chunk)}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>A host whose AI provider is the fake upstream above (OpenAI-compatible adapter), with a 2 s timeout, a chat limit of 8 per minute, and loopback URLs admitted for fetching.</summary>
public sealed class UpstreamHost : VergingHost
{
    public FakeOpenAi Upstream { get; } = new();

    public override async Task InitializeAsync()
    {
        await Upstream.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>Another instance of the app on the same database and upstream (its own ledger writer and cache); the test disposes it.</summary>
    public Task<IAlbaHost> StartAnotherInstanceAsync() => StartHostAsync();

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("AiProxy:Upstream:BaseUrl", Upstream.BaseUrl);
        builder.UseSetting("AiProxy:Upstream:ApiKey", "sk-test-upstream");
        builder.UseSetting("AiProxy:Upstream:Timeout", "00:00:02");
        builder.UseSetting("AiProxy:RateLimits:Limits:chat", "8");
        // Vision's image_url is fetched from the fake's /media on loopback, as a developer's machine would.
        builder.UseSetting("RemoteFetch:AllowLoopback", "true");
    }
}
