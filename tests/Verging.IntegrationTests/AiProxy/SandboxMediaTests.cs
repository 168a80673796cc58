using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Verging.AiProxy.Contracts;
using Verging.IntegrationTests.Infrastructure;
using Wolverine;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.AiProxy;

/// <summary>The sandbox provider's outputs are real files: PNGs decode, mp3s probe, durations are measured.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class SandboxMediaTests(VergingHost fixture)
{
    [Fact]
    public async Task Imagegen_returns_real_pngs_behind_signed_urls_and_charges_per_image()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 100);
        var json = await Post(key, "/api/v1/ai/imagegen", """{"prompt":"A futuristic cityscape at sunset","quality":"hd","n":2,"size":"256x256"}""", 200);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(10);
        json["model"]!.GetValue<string>().ShouldBe("sandbox-gpt-image-1");
        var urls = json["images"]!.AsArray().Select(u => u!.GetValue<string>()).ToList();
        urls.Count.ShouldBe(2);

        foreach (var url in urls)
        {
            url.ShouldStartWith("http://localhost/files/proxy/imagegen/");
            var png = await Download(url);
            using var image = Image.Load<Rgba32>(png, out var format);
            format.Name.ShouldBe("PNG");
            (image.Width, image.Height).ShouldBe((256, 256));
        }

        (await Download(urls[0])).ShouldNotBe(await Download(urls[1]), "each image is drawn differently");
        (await Balance(key)).ShouldBe(90);
        ExpiresAt(json).ShouldBe(urls.Select(UrlExpiry).Min());
        ExpiresAt(json).ShouldBeGreaterThan(DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Tts_returns_a_real_mp3_and_charges_2_credits_per_1000_characters()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var json = await Post(key, "/api/v1/ai/tts", """{"input":"Hello! Welcome to Verging AI.","voice":"nova","speed":1.1}""", 200);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        ExpiresAt(json).ShouldBe(UrlExpiry(json["audio_url"]!.GetValue<string>()));
        var audio = await Download(json["audio_url"]!.GetValue<string>());
        var (format, duration) = await TestMedia.ProbeAsync(audio);
        format.ShouldBe("mp3");
        duration.ShouldBeInRange(0.5, 10);

        var longer = await Post(key, "/api/v1/ai/tts", $$"""{"input":"{{new string('a', 1500)}}","response_format":"wav"}""", 200);
        longer["credits_consumed"]!.GetValue<long>().ShouldBe(3);
        (await TestMedia.ProbeAsync(await Download(longer["audio_url"]!.GetValue<string>()))).Format.ShouldBe("wav");
        (await Balance(key)).ShouldBe(16);
    }

    [Theory]
    [InlineData("""{"input":""}""", "input:")]
    [InlineData("""{"voice":"robot","input":"x"}""", "voice:")]
    [InlineData("""{"speed":4.5,"input":"x"}""", "speed:")]
    [InlineData("""{"speed":0.1,"input":"x"}""", "speed:")]
    [InlineData("""{"response_format":"ogg","input":"x"}""", "response_format:")]
    public async Task Bad_tts_requests_are_400_naming_the_field(string body, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/tts"); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
    }

    [Fact]
    public async Task Tts_input_over_4096_characters_is_400()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/tts"); s.JsonBody($$"""{"input":"{{new string('x', 4097)}}"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldStartWith("input:");
        (await Balance(key)).ShouldBe(10);
    }

    [Theory]
    [InlineData("""{"prompt":"x","n":5}""", "n:")]
    [InlineData("""{"prompt":"x","n":0}""", "n:")]
    [InlineData("""{"prompt":"x","quality":"ultra"}""", "quality:")]
    [InlineData("""{"prompt":"x","size":"999x999"}""", "size:")]
    [InlineData("""{"n":1}""", "prompt:")]
    public async Task Bad_imagegen_requests_are_400_naming_the_field(string body, string field)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/imagegen"); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldStartWith(field);
    }

    [Theory]
    [InlineData("/api/v1/ai/chat", """{"model":"","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/api/v1/ai/tts", """{"model":"","input":"hi"}""")]
    [InlineData("/api/v1/ai/imagegen", """{"model":"","prompt":"x"}""")]
    [InlineData("/api/v1/ai/vision", """{"model":"","prompt":"x","image_url":"https://example.com/a.png"}""")]
    [InlineData("/api/v1/ai/tts", """{"model":"tts 1","input":"hi"}""")]
    public async Task An_empty_or_malformed_model_is_400_on_every_json_endpoint_not_a_502(string url, string body)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url(url); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldStartWith("model: must be a model id");
        (await Balance(key)).ShouldBe(10);
    }

    [Fact]
    public async Task A_multipart_model_is_checked_like_a_json_one_and_an_empty_field_is_the_default()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var tone = await TestMedia.ToneAsync(2, "wav");
        var bad = await UploadRaw(key, "/api/v1/ai/stt", tone, "clip.wav", "audio/wav", ("model", "whisper 1"));
        bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("model: must be a model id");

        var defaulted = await Upload(key, "/api/v1/ai/stt", tone, "clip.wav", ("model", ""));
        defaulted["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        (await Balance(key)).ShouldBe(9);
    }

    [Theory]
    [InlineData("english")]
    [InlineData("e")]
    [InlineData("en-US")]
    [InlineData("e1")]
    public async Task An_stt_language_that_is_no_language_code_is_400_and_costs_nothing(string language)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var bad = await UploadRaw(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(2, "wav"), "clip.wav", "audio/wav", ("language", language));
        bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).ShouldContain("language: must be an ISO 639 language code");
        (await Balance(key)).ShouldBe(10);
    }

    [Fact]
    public async Task An_stt_language_code_in_capitals_is_taken_in_lower_case()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var json = await Upload(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(2, "wav"), "clip.wav", ("language", "JA"));
        json["language"]!.GetValue<string>().ShouldBe("ja");
    }

    [Fact]
    public async Task Stt_measures_the_real_duration_and_charges_per_started_minute()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var json = await Upload(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(65, "mp3"), "recording.mp3", ("language", "en"));
        json["duration"]!.GetValue<double>().ShouldBeInRange(64.9, 65.2);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(2);
        json["language"]!.GetValue<string>().ShouldBe("en");
        json["text"]!.GetValue<string>().ShouldStartWith("[Verging sandbox transcript");

        var wav = await Upload(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(3, "wav"), "clip.wav");
        wav["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        (await Balance(key)).ShouldBe(7);
    }

    [Fact]
    public async Task Stt_in_the_sandbox_writes_every_response_format_from_one_segment_spanning_the_audio()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var tone = await TestMedia.ToneAsync(2.5, "wav");
        var srt = await UploadRaw(key, "/api/v1/ai/stt", tone, "clip.wav", "audio/wav", ("response_format", "srt"));
        (await srt.Content.ReadAsStringAsync()).ShouldStartWith("1\n00:00:00,000 --> 00:00:02,500\n[Verging sandbox transcript");
        var vtt = await UploadRaw(key, "/api/v1/ai/stt", tone, "clip.wav", "audio/wav", ("response_format", "vtt"));
        (await vtt.Content.ReadAsStringAsync()).ShouldStartWith("WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n[Verging sandbox transcript");
        var verbose = await Upload(key, "/api/v1/ai/stt", tone, "clip.wav", ("response_format", "verbose_json"));
        verbose["segments"]![0]!["end"]!.GetValue<double>().ShouldBe(2.5);
        (await Balance(key)).ShouldBe(7);
    }

    [Fact]
    public async Task A_replayed_srt_transcript_tells_again_what_it_cost()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var tone = await TestMedia.ToneAsync(2, "wav");
        using var client = fixture.Host.Server.CreateClient();
        async Task<HttpResponseMessage> SendAsync()
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(tone), "file", "clip.wav" }, { new StringContent("srt"), "response_format" } };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ai/stt") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
            request.Headers.Add("Idempotency-Key", "srt-once");
            return await client.SendAsync(request);
        }

        using var first = await SendAsync();
        using var replay = await SendAsync();
        replay.Headers.GetValues("Idempotent-Replayed").Single().ShouldBe("true");
        replay.Headers.GetValues("X-Credits-Consumed").Single().ShouldBe(first.Headers.GetValues("X-Credits-Consumed").Single());
        replay.Headers.GetValues("X-Audio-Duration").Single().ShouldBe(first.Headers.GetValues("X-Audio-Duration").Single());
        (await replay.Content.ReadAsStringAsync()).ShouldBe(await first.Content.ReadAsStringAsync());
        (await Balance(key)).ShouldBe(9);
    }

    [Fact]
    public async Task Stt_bills_the_audio_in_the_file_not_the_length_its_header_claims()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);

        // 150 s of audio whose Xing/Info header claims a hundredth of its frames (1.5 s): ffprobe believes the header.
        var understated = await TestMedia.ToneAsync(150, "mp3");
        var info = understated.AsSpan().IndexOf("Info"u8) is >= 0 and var i ? i : understated.AsSpan().IndexOf("Xing"u8);
        info.ShouldBeGreaterThan(0, "lame writes an Info header with the frame count");
        var frames = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(understated.AsSpan(info + 8));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(understated.AsSpan(info + 8), frames / 100);
        (await TestMedia.ProbeAsync(understated)).Duration.ShouldBeLessThan(2, "the header lies as intended");
        var json = await Upload(key, "/api/v1/ai/stt", understated, "long.mp3");
        json["duration"]!.GetValue<double>().ShouldBeInRange(149.9, 150.2);
        json["credits_consumed"]!.GetValue<long>().ShouldBe(3);

        // 1 s of audio and then 1 MB of zeros: ffprobe estimates minutes from the file's size.
        var padded = (await TestMedia.ToneAsync(1, "mp3")).Concat(new byte[1_000_000]).ToArray();
        (await TestMedia.ProbeAsync(padded)).Duration.ShouldBeGreaterThan(60, "the estimate overstates as intended");
        var trimmed = await Upload(key, "/api/v1/ai/stt", padded, "short.mp3");
        trimmed["duration"]!.GetValue<double>().ShouldBeInRange(0.9, 1.2);
        trimmed["credits_consumed"]!.GetValue<long>().ShouldBe(1);
        (await Balance(key)).ShouldBe(16);
    }

    [Theory]
    [InlineData("/api/v1/ai/vision/upload", "prompt", "prompt: given more than once")]
    [InlineData("/api/v1/ai/stt", "language", "language: given more than once")]
    [InlineData("/api/v1/ai/stt", "file", "file: given more than once")]
    [InlineData("/api/v1/ai/stt", "FILE", "FILE: given more than once")]
    [InlineData("/api/v1/ai/vision/upload", "file-as-text", "file: given more than once")]
    public async Task A_multipart_field_given_twice_is_400_and_costs_nothing(string url, string twice, string message)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var file = url.EndsWith("stt", StringComparison.Ordinal) ? await TestMedia.ToneAsync(2, "wav") : await TestMedia.PngAsync(8, 8);
        using var client = fixture.Host.Server.CreateClient();
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(file), "file", "input.bin");
        form.Add(new StringContent("What is this?"), "prompt");
        form.Add(new StringContent("en"), "language");
        if (twice is "file" or "FILE")
        {
            form.Add(new ByteArrayContent(file), twice, "second.bin");
        }
        else if (twice == "file-as-text")
        {
            form.Add(new StringContent("not a file"), "file");
        }
        else
        {
            form.Add(new StringContent(twice == "prompt" ? "Or this?" : "de"), twice);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var response = await client.SendAsync(request);

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().ShouldStartWith(message);
        (await Balance(key)).ShouldBe(20);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1.01")]
    public async Task An_stt_temperature_outside_0_to_1_is_400(string temperature)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var response = await UploadRaw(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(2, "wav"), "clip.wav", "audio/wav", ("temperature", temperature));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().ShouldStartWith("temperature: must be a number from 0 to 1");
    }

    [Fact]
    public async Task Stt_decides_the_type_by_content_not_by_name()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var png = await Download((await Post(key, "/api/v1/ai/imagegen", """{"prompt":"x","size":"256x256"}""", 200))["images"]![0]!.GetValue<string>());
        var disguised = await UploadRaw(key, "/api/v1/ai/stt", png, "speech.mp3", "audio/mpeg");
        disguised.StatusCode.ShouldBe(System.Net.HttpStatusCode.UnsupportedMediaType);
        (await disguised.Content.ReadAsStringAsync()).ShouldContain("41500");

        // A real wav named like an image is still a wav.
        var misnamed = await Upload(key, "/api/v1/ai/stt", await TestMedia.ToneAsync(2, "wav"), "photo.png");
        misnamed["credits_consumed"]!.GetValue<long>().ShouldBe(1);
    }

    [Fact]
    public async Task An_stt_file_over_25_MB_is_413_and_costs_nothing()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var huge = new byte[(25 * 1024 * 1024) + 100_000];
        var response = await UploadRaw(key, "/api/v1/ai/stt", huge, "big.mp3", "audio/mpeg");
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]!.GetValue<int>().ShouldBe(41300);
        (await Balance(key)).ShouldBe(10);
    }

    [Fact]
    public async Task Vision_upload_reports_real_facts_of_the_image_and_bills_base_plus_tokens()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        using var red = new Image<Rgba32>(40, 30, new Rgba32(250, 10, 10));
        using var buffer = new MemoryStream();
        await red.SaveAsPngAsync(buffer);
        var json = await Upload(key, "/api/v1/ai/vision/upload", buffer.ToArray(), "photo.jpg", ("prompt", "What is in this image?"));
        var content = json["content"]!.GetValue<string>();
        content.ShouldContain("PNG of 40x30 pixels");
        content.ShouldContain("#fa0a0a"); // the pixels' own colour, not the centre of its quantisation group
        json["credits_consumed"]!.GetValue<long>().ShouldBe(2);

        var notImage = await UploadRaw(key, "/api/v1/ai/vision/upload", await TestMedia.ToneAsync(1, "wav"), "photo.png", "image/png", ("prompt", "x"));
        notImage.StatusCode.ShouldBe(System.Net.HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("16385")]
    public async Task Vision_upload_max_tokens_is_a_whole_number_of_tokens(string maxTokens)
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var response = await UploadRaw(key, "/api/v1/ai/vision/upload", await TestMedia.PngAsync(8, 8), "photo.png", "image/png", ("prompt", "hi"), ("max_tokens", maxTokens));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().ShouldBe("max_tokens: must be a whole number from 1 to 16384");
        (await Balance(key)).ShouldBe(20);
    }

    [Fact]
    public async Task A_damaged_upload_is_a_400_that_holds_nothing_past_the_answer_and_is_recorded()
    {
        // Its header is whole (so it gets past the checks made before credits are held); its pixels are cut off.
        var png = await TestMedia.PngAsync(320, 240);
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        HttpResponseMessage response = null!;
        var tracked = await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ =>
                response = await UploadRaw(key, "/api/v1/ai/vision/upload", png[..(png.Length / 2)], "photo.png", "image/png", ("prompt", "What is this?"))));

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync()).ShouldContain("file: the image could not be decoded (truncated or damaged data)");
        tracked.Executed.SingleMessage<AiRequestFailed>().Status.ShouldBe("invalid_image");
        (await fixture.Host.CreditsOfAsync(key)).ShouldBe((20L, 0L));
    }

    [Fact]
    public async Task An_image_whose_header_names_no_size_is_refused_before_anything_is_held()
    {
        var png = await TestMedia.PngAsync(8, 8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 0);
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var response = await UploadRaw(key, "/api/v1/ai/vision/upload", png, "photo.png", "image/png", ("prompt", "What is this?"));

        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("file: the image could not be read");
        (await fixture.Host.CreditsOfAsync(key)).ShouldBe((20L, 0L));
    }

    [Fact]
    public async Task An_animated_webp_is_refused_as_such_before_anything_is_held()
    {
        var webp = Path.GetTempFileName() + ".webp";
        try
        {
            await TestMedia.FfmpegAsync("-f", "lavfi", "-i", "testsrc=s=50x50:r=5:d=1", "-c:v", "libwebp", "-loop", "0", webp);
            var (_, key) = await fixture.CreateAccountAsync(credits: 20);
            var response = await UploadRaw(key, "/api/v1/ai/vision/upload", await File.ReadAllBytesAsync(webp), "anim.webp", "image/webp", ("prompt", "What is this?"));
            response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
            (await response.Content.ReadAsStringAsync()).ShouldContain("file: animated WebP images are not supported");
            (await fixture.Host.CreditsOfAsync(key)).ShouldBe((20L, 0L));
        }
        finally
        {
            File.Delete(webp);
        }
    }

    [Fact]
    public async Task Vision_by_url_needs_5_credits_and_a_valid_url()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 4);
        var poor = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/vision"); s.JsonBody("""{"prompt":"Describe","image_url":"https://example.com/photo.jpg"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(402); });
        (await poor.ShouldBeError(40001)).ShouldStartWith("Insufficient credits. Required: 5, available: 4");

        var bad = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/vision"); s.JsonBody("""{"prompt":"Describe","image_url":"file:///etc/passwd"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await bad.ShouldBeError(40000)).ShouldStartWith("image_url:");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/photo.png", "image_url resolves to a loopback address")]
    [InlineData("http://[::1]:9/photo.png", "image_url resolves to a loopback address")]
    [InlineData("http://2130706433/photo.png", "image_url resolves to a loopback address")]
    [InlineData("http://192.168.1.1/photo.png", "image_url resolves to a private address")]
    public async Task Vision_never_fetches_an_internal_address_for_a_client(string url, string message)
    {
        // Loopback is refused outside development (the shared host does not admit it): a customer's image_url must
        // not reach this machine's or this network's services, neither through us nor through a self-hosted provider.
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/vision"); s.JsonBody($$"""{"prompt":"Describe","image_url":"{{url}}"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldBe(message);
        (await Balance(key)).ShouldBe(10);
    }

    [Fact]
    public async Task Vision_reads_a_signed_url_of_ours_from_the_store_and_describes_the_image()
    {
        // The sandbox host refuses loopback addresses, so this can only work by reading the store.
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        var generated = (await Post(key, "/api/v1/ai/imagegen", """{"prompt":"a red square","size":"256x256"}""", 200))["images"]![0]!.GetValue<string>();
        var json = await Post(key, "/api/v1/ai/vision", $$"""{"prompt":"What is this?","image_url":"{{generated}}"}""", 200);
        json["content"]!.GetValue<string>().ShouldContain("PNG of 256x256 pixels");
        json["model"]!.GetValue<string>().ShouldStartWith("sandbox-");

        var forged = generated[..^4] + (generated[^4..] == "aaaa" ? "bbbb" : "aaaa");
        var refused = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/vision"); s.JsonBody($$"""{"prompt":"x","image_url":"{{forged}}"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await refused.ShouldBeError(40000)).ShouldBe("image_url resolves to a loopback address");
    }

    [Fact]
    public async Task Vision_refuses_a_url_with_credentials_before_holding_anything()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var result = await fixture.Host.Scenario(s => { s.Post.Url("/api/v1/ai/vision"); s.JsonBody("""{"prompt":"Describe","image_url":"http://images.example@127.0.0.1/a.png"}"""); s.WithApiKey(key); s.StatusCodeShouldBe(400); });
        (await result.ShouldBeError(40000)).ShouldStartWith("image_url: must be an absolute http(s) URL");
    }

    [Fact]
    public async Task A_tampered_or_unsigned_file_url_is_403()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var url = (await Post(key, "/api/v1/ai/imagegen", """{"prompt":"x","size":"256x256"}""", 200))["images"]![0]!.GetValue<string>();
        var path = new Uri(url).PathAndQuery;
        var tampered = path[..^4] + (path[^4..] == "aaaa" ? "bbbb" : "aaaa");
        foreach (var bad in new[] { tampered, path.Split('?')[0], path.Replace("expires=", "expires=1", StringComparison.Ordinal) })
        {
            var result = await fixture.Host.Scenario(s => { s.Get.Url(bad); s.StatusCodeShouldBe(403); });
            await result.ShouldBeError(40300);
        }

        var none = await fixture.Host.Scenario(s => { s.Get.Url("/files/"); s.StatusCodeShouldBe(404); });
        await none.ShouldBeError(40400);
    }

    [Fact]
    public async Task Head_on_a_signed_file_url_tells_type_and_size_without_the_bytes()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var url = (await Post(key, "/api/v1/ai/tts", """{"input":"Size me up."}""", 200))["audio_url"]!.GetValue<string>();
        var bytes = await Download(url);

        var head = await fixture.Host.Scenario(s => { s.Head.Url(new Uri(url).PathAndQuery); s.StatusCodeShouldBe(200); });
        head.Context.Response.ContentType.ShouldBe("audio/mpeg");
        head.Context.Response.ContentLength.ShouldBe(bytes.Length);
        head.Context.Response.Headers.AcceptRanges.ToString().ShouldBe("bytes");
        (await head.ReadAsTextAsync()).ShouldBeEmpty();

        var tampered = new Uri(url).PathAndQuery.Replace("expires=", "expires=1", StringComparison.Ordinal);
        await fixture.Host.Scenario(s => { s.Head.Url(tampered); s.StatusCodeShouldBe(403); });
    }

    [Fact]
    public async Task File_ranges_are_bytes_only_and_one_past_the_end_is_416_with_an_error_body()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 10);
        var path = new Uri((await Post(key, "/api/v1/ai/tts", """{"input":"Range me."}""", 200))["audio_url"]!.GetValue<string>()).PathAndQuery;
        var length = (await Download("http://localhost" + path)).Length;

        var part = await fixture.Host.Scenario(s => { s.Get.Url(path); s.WithRequestHeader("Range", "bytes=0-5"); s.StatusCodeShouldBe(206); });
        part.Context.Response.Headers.ContentRange.ToString().ShouldBe($"bytes 0-5/{length}");

        // Another unit is not bytes, and an If-Range cannot match (files have no validator): ignored, the whole file.
        var whole = await fixture.Host.Scenario(s => { s.Get.Url(path); s.WithRequestHeader("Range", "items=0-5"); s.StatusCodeShouldBe(200); });
        whole.Context.Response.ContentLength.ShouldBe(length);
        var ifRange = await fixture.Host.Scenario(s =>
        {
            s.Get.Url(path);
            s.WithRequestHeader("Range", "bytes=0-5");
            s.WithRequestHeader("If-Range", "\"v1\"");
            s.StatusCodeShouldBe(200);
        });
        ifRange.Context.Response.ContentLength.ShouldBe(length);

        var past = await fixture.Host.Scenario(s => { s.Get.Url(path); s.WithRequestHeader("Range", $"bytes={length + 10}-"); s.StatusCodeShouldBe(416); });
        (await past.ShouldBeError(41600)).ShouldStartWith($"Range: the file has {length} bytes");
        past.Context.Response.Headers.ContentRange.ToString().ShouldBe($"bytes */{length}");
    }

    private async Task<JsonNode> Post(string key, string url, string body, int status) =>
        await (await fixture.Host.Scenario(s => { s.Post.Url(url); s.JsonBody(body); s.WithApiKey(key); s.StatusCodeShouldBe(status); })).Json();

    private async Task<byte[]> Download(string url)
    {
        var result = await fixture.Host.Scenario(s => { s.Get.Url(new Uri(url).PathAndQuery); s.StatusCodeShouldBe(200); });
        using var buffer = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task<JsonNode> Upload(string key, string url, byte[] file, string name, params (string Name, string Value)[] fields)
    {
        var response = await UploadRaw(key, url, file, name, "application/octet-stream", fields);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonNode.Parse(text)!;
    }

    private async Task<HttpResponseMessage> UploadRaw(string key, string url, byte[] file, string name, string contentType, params (string Name, string Value)[] fields)
    {
        using var client = fixture.Host.Server.CreateClient();
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(content, "file", name);
        foreach (var (field, value) in fields)
        {
            form.Add(new StringContent(value), field);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return await client.SendAsync(request);
    }

    private async Task<long> Balance(string key) =>
        (await (await fixture.Host.Scenario(s => { s.Get.Url("/api/v1/credits"); s.WithApiKey(key); })).Json())["balance"]!.GetValue<long>();

    /// <summary>The response's expires_at: when its signed URLs stop working.</summary>
    private static DateTimeOffset ExpiresAt(JsonNode json) => DateTimeOffset.Parse(json["expires_at"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    /// <summary>The expiry a signed URL carries in its <c>expires</c> parameter (Unix seconds).</summary>
    private static DateTimeOffset UrlExpiry(string url) =>
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(QueryHelpers.ParseQuery(new Uri(url).Query)["expires"]!, CultureInfo.InvariantCulture));
}
