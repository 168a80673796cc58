using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>Imagegen, TTS, STT and vision through the OpenAI-compatible adapter, against the fake upstream.</summary>
[Collection(UpstreamHostCollection.Name)]
public sealed class UpstreamMediaTests : IDisposable
{
    private readonly UpstreamHost _fixture;

    public UpstreamMediaTests(UpstreamHost fixture)
    {
        _fixture = fixture;
        fixture.Upstream.Reset();
    }

    public void Dispose() => _fixture.Upstream.Reset();

    [Fact]
    public async Task Imagegen_charges_only_for_the_images_actually_returned()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.ImagesReturned = 2;
        var json = await Post(key, "/api/v1/ai/imagegen", """{"prompt":"a red fox","model":"dall-e-3","quality":"hd","n":3}""");
        json["images"]!.AsArray().Count.ShouldBe(2);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(10);
        var sent = _fixture.Upstream.LastRequest!;
        (sent["model"]!.GetValue<string>(), sent["n"]!.GetValue<int>(), sent["quality"]!.GetValue<string>(), sent["size"]!.GetValue<string>())
            .ShouldBe(("dall-e-3", 3, "hd", "1024x1024"));
        sent["response_format"]!.GetValue<string>().ShouldBe("b64_json");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((40L, 0L));
    }

    [Fact]
    public async Task Imagegen_failing_upstream_is_502_and_free()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.ServerError;
        var result = await _fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/imagegen"); s.JsonBody("""{"prompt":"x","n":4}"""); s.WithApiKey(key); s.StatusCodeShouldBe(502); });
        var text = await result.ReadAsTextAsync();
        (await result.ShouldBeError(50200)).ShouldContain("nothing was charged");
        JsonNode.Parse(text)!["upstream_error"]!["message"]!.GetValue<string>().ShouldBe("image backend down");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((50L, 0L));
    }

    [Fact]
    public async Task Imagegen_with_an_image_that_is_not_base64_is_502_and_free()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 50);
        _fixture.Upstream.Behaviour = FakeOpenAi.Mode.MalformedAnswer;
        var result = await _fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/imagegen"); s.JsonBody("""{"prompt":"x","model":"dall-e-3"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(502); });
        (await result.ShouldBeError(50200)).ShouldContain("nothing was charged");
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((50L, 0L));
    }

    [Fact]
    public async Task Tts_forwards_voice_speed_and_format_and_stores_the_audio()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        var json = await Post(key, "/api/v1/ai/tts", """{"input":"Hello! Welcome to Verging AI.","voice":"nova","speed":1.1}""");
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        var sent = _fixture.Upstream.LastRequest!;
        (sent["model"]!.GetValue<string>(), sent["voice"]!.GetValue<string>(), sent["response_format"]!.GetValue<string>(), sent["speed"]!.GetValue<double>())
            .ShouldBe(("tts-1-hd", "nova", "mp3", 1.1));
        var audio = await _fixture.Host.Scenario(s => { s.Get.Url(new Uri(json["audio_url"]!.GetValue<string>()).PathAndQuery); s.StatusCodeShouldBe(200); });
        audio.Context.Response.ContentType.ShouldBe("audio/mpeg");
    }

    [Fact]
    public async Task Stt_forwards_the_file_as_multipart_and_returns_the_transcript()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        var audio = await TestMedia.ToneAsync(4, "wav");
        using var client = _fixture.Host.Server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(audio), "file", "recording.wav" },
            { new StringContent("en"), "language" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/stt") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        using var response = await client.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["text"]!.GetValue<string>().ShouldBe("hello from the fake whisper");
        json["duration"]!.GetValue<double>().ShouldBeInRange(3.9, 4.1);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        _fixture.Upstream.LastForm["model"].ShouldBe("whisper-1");
        _fixture.Upstream.LastForm["language"].ShouldBe("en");
        _fixture.Upstream.LastFileBytes.ShouldBe(audio.Length);
    }

    [Theory]
    [InlineData("text", "text/plain; charset=utf-8", "hello from the fake whisper\n")]
    [InlineData("srt", "text/plain; charset=utf-8", "1\n00:00:00,000 --> 00:00:04,000\nhello from the fake whisper\n\n")]
    [InlineData("vtt", "text/vtt; charset=utf-8", "WEBVTT\n\n00:00:00.000 --> 00:00:04.000\nhello from the fake whisper\n\n")]
    public async Task Stt_returns_the_transcript_in_the_format_asked_for_with_the_charge_in_a_header(string format, string mediaType, string body)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        using var response = await Transcribe(key, await TestMedia.ToneAsync(4, "wav"), format);
        response.Content.Headers.ContentType!.ToString().ShouldBe(mediaType);
        (await response.Content.ReadAsStringAsync()).ShouldBe(body);
        response.Headers.GetValues("X-Credits-Consumed").Single().ShouldBe("1");
        double.Parse(response.Headers.GetValues("X-Audio-Duration").Single(), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(3.9, 4.1);
        _fixture.Upstream.LastForm["response_format"].ShouldBe(format);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((9L, 0L));
    }

    [Fact]
    public async Task Stt_verbose_json_adds_the_providers_timed_segments()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        using var response = await Transcribe(key, await TestMedia.ToneAsync(4, "wav"), "verbose_json");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        json["text"]!.GetValue<string>().ShouldBe("hello from the fake whisper");
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        var segments = json["segments"]!.AsArray();
        segments.Count.ShouldBe(2);
        (segments[1]!["id"]!.GetValue<int>(), segments[1]!["start"]!.GetValue<double>(), segments[1]!["end"]!.GetValue<double>(), segments[1]!["text"]!.GetValue<string>())
            .ShouldBe((1, 1.5, 4.0, " the fake whisper"));
    }

    private async Task<HttpResponseMessage> Transcribe(string key, byte[] audio, string format)
    {
        using var client = _fixture.Host.Server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(audio), "file", "recording.wav" },
            { new StringContent(format), "response_format" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/stt") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var response = await client.SendAsync(request);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
        return response;
    }

    [Fact]
    public async Task Vision_fetches_the_image_url_itself_and_sends_the_provider_the_image_not_the_url()
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        var png = await TestMedia.PngAsync(32, 24);
        _fixture.Upstream.Media["photo.jpg"] = (png, "image/jpeg"); // the declared type is wrong: the bytes decide
        var json = await Post(key, "/api/v1/ai/vision", $$"""{"prompt":"Describe what you see in this image.","image_url":"{{_fixture.Upstream.MediaUrl("photo.jpg")}}"}""");

        json["credits_consumed"]!.GetValue<long>().ShouldBe(2, "1 base + 1 for 24 input and 85 output tokens");
        var content = _fixture.Upstream.LastRequest!["messages"]![0]!["content"]!.AsArray();
        content[0]!["type"]!.GetValue<string>().ShouldBe("text");
        content[1]!["image_url"]!["url"]!.GetValue<string>().ShouldBe($"data:image/png;base64,{Convert.ToBase64String(png)}");
        _fixture.Upstream.LastRequest!["max_tokens"]!.GetValue<long>().ShouldBe(1024);
        _fixture.Upstream.MediaRequests.ShouldBe(1);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((8L, 0L));
    }

    [Theory]
    [InlineData("missing.png", "image_url answered HTTP 404")]
    [InlineData("notes.png", "image_url: not a png, jpeg, gif or webp image")]
    [InlineData("http://10.0.0.7/photo.png", "image_url resolves to a private address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "image_url resolves to a cloud metadata address")]
    public async Task A_vision_image_url_that_cannot_be_used_is_400_reaches_no_provider_and_costs_nothing(string url, string message)
    {
        var (_, key) = await _fixture.CreateAccountAsync(credits: 10);
        _fixture.Upstream.Media["notes.png"] = ("just some text, not an image"u8.ToArray(), "image/png");
        var imageUrl = url.StartsWith("http", StringComparison.Ordinal) ? url : _fixture.Upstream.MediaUrl(url);

        var result = await _fixture.Host.Scenario(s =>
        {
            s.Post.Url("/api/v1/ai/vision");
            s.JsonBody($$"""{"prompt":"Describe","image_url":"{{imageUrl}}"}""");
            s.WithApiKey(key);
            s.StatusCodeShouldBe(400);
        });

        (await result.ShouldBeError(40000)).ShouldBe(message);
        _fixture.Upstream.Calls.ShouldBe(0);
        (await _fixture.Host.CreditsOfAsync(key)).ShouldBe((10L, 0L), "the hold is released");
    }

    private async Task<JsonNode> Post(string key, string url, string body) =>
        await (await _fixture.Host.Scenario(s => { s.Post.Url(url); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(200); })).Json();
}
