using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Verging.SharedKernel.Fetching;

namespace Verging.IntegrationTests.Fetching;

/// <summary>The guarded fetcher against a real Kestrel server on loopback (admitted by AllowLoopback, as in development).</summary>
public sealed class RemoteMediaFetcherTests(MediaServer server) : IClassFixture<MediaServer>, IDisposable
{
    private readonly string destination = Path.Combine(Path.GetTempPath(), $"verging-fetch-{Guid.NewGuid():N}.mp4");
    private readonly RecordingConnector connector = new();

    [Fact]
    public async Task Fetches_a_file_to_the_destination()
    {
        var fetched = await Fetcher().FetchAsync(server.Url("/video.mp4"), "target_video_url", destination, 10_000, CancellationToken.None);

        fetched.ShouldBe(new FetchedFile(destination, MediaServer.Body.Length, "video/mp4"));
        (await File.ReadAllBytesAsync(destination)).ShouldBe(MediaServer.Body);
        connector.Connected.ShouldBe([IPAddress.Loopback]);
    }

    [Fact]
    public async Task Fetches_into_memory_under_the_same_guard_and_names_the_callers_field()
    {
        var fetched = await Fetcher().FetchBytesAsync(server.Url("/video.mp4"), "image_url", 10_000, CancellationToken.None);
        fetched.Body.ShouldBe(MediaServer.Body);
        fetched.ContentType.ShouldBe("video/mp4");

        var tooBig = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher().FetchBytesAsync(server.Url("/endless"), "image_url", 50_000, CancellationToken.None));
        tooBig.Message.ShouldBe("image_url is larger than the 50000 bytes allowed");

        var refused = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher(o => o.AllowLoopback = false).FetchBytesAsync(server.Url("/video.mp4"), "image_url", 10_000, CancellationToken.None));
        refused.Message.ShouldBe("image_url resolves to a loopback address");
    }

    [Fact]
    public async Task Fetches_from_an_ipv6_literal_host()
    {
        var fetched = await Fetcher().FetchAsync(server.UrlV6("/video.mp4"), "target_video_url", destination, 10_000, CancellationToken.None);

        fetched.Bytes.ShouldBe(MediaServer.Body.Length);
        connector.Connected.ShouldBe([IPAddress.IPv6Loopback]);
    }

    [Fact]
    public async Task A_named_host_is_connected_to_at_its_checked_address()
    {
        var url = new UriBuilder(server.Url("/video.mp4")) { Host = "media.test" }.Uri;

        var fetched = await Fetcher().FetchAsync(url, "target_video_url", destination, 10_000, CancellationToken.None);

        fetched.Bytes.ShouldBe(MediaServer.Body.Length);
        connector.Connected.ShouldBe([IPAddress.Loopback]);
    }

    [Fact]
    public async Task A_declared_length_over_the_cap_fails_before_the_body_is_read()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher().FetchAsync(server.Url("/video.mp4"), "target_video_url", destination, MediaServer.Body.Length - 1, CancellationToken.None));

        failure.Message.ShouldBe($"target_video_url is larger than the {MediaServer.Body.Length - 1} bytes allowed");
        File.Exists(destination).ShouldBeFalse();
    }

    [Fact]
    public async Task A_streamed_body_without_length_is_cut_at_the_cap()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher().FetchAsync(server.Url("/endless"), "target_video_url", destination, 50_000, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url is larger than the 50000 bytes allowed");
        File.Exists(destination).ShouldBeFalse();
    }

    [Fact]
    public async Task The_configured_cap_wins_over_a_larger_request()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher(o => o.MaxBytes = 100).FetchAsync(server.Url("/video.mp4"), "target_video_url", destination, 1L << 30, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url is larger than the 100 bytes allowed");
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_fails_with_a_timeout()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher(o => o.Timeout = TimeSpan.FromMilliseconds(500)).FetchAsync(server.Url("/hang"), "target_video_url", destination, 10_000, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url took longer than 0.5 s to download");
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Should.ThrowAsync<OperationCanceledException>(
            Fetcher().FetchAsync(server.Url("/hang"), "target_video_url", destination, 10_000, cancellation.Token));

        File.Exists(destination).ShouldBeFalse();
    }

    [Fact]
    public async Task An_http_error_is_a_fetch_failure()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher().FetchAsync(server.Url("/missing"), "target_video_url", destination, 10_000, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url answered HTTP 404");
    }

    [Fact]
    public async Task Follows_a_redirect_to_an_allowed_url()
    {
        var fetched = await Fetcher().FetchAsync(server.Url("/redirect?to=/video.mp4"), "target_video_url", destination, 10_000, CancellationToken.None);

        fetched.Bytes.ShouldBe(MediaServer.Body.Length);
    }

    [Theory]
    [InlineData("http://10.0.0.1/video.mp4", "private")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "cloud metadata")]
    [InlineData("http://[fd00::1]/video.mp4", "private")]
    [InlineData("http://internal.test/video.mp4", "private")]
    public async Task Refuses_a_redirect_to_a_forbidden_address_without_connecting_to_it(string target, string kind)
    {
        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher().FetchAsync(server.Url($"/redirect?to={Uri.EscapeDataString(target)}"), "target_video_url", destination, 10_000, CancellationToken.None));

        refusal.Message.ShouldBe($"target_video_url resolves to a {kind} address");
        connector.Connected.ShouldBe([IPAddress.Loopback], "only the loopback test server was ever connected to");
        File.Exists(destination).ShouldBeFalse();
    }

    [Fact]
    public async Task Refuses_a_redirect_to_another_scheme()
    {
        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher().FetchAsync(server.Url($"/redirect?to={Uri.EscapeDataString("file:///etc/passwd")}"), "target_video_url", destination, 10_000, CancellationToken.None));

        refusal.Message.ShouldBe("target_video_url must be an http or https URL");
    }

    [Fact]
    public async Task Too_many_redirects_fail()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher(o => o.MaxRedirects = 3).FetchAsync(server.Url("/loop/0"), "target_video_url", destination, 10_000, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url redirected more than 3 times");
    }

    [Fact]
    public async Task Loopback_is_refused_unless_configured()
    {
        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher(o => o.AllowLoopback = false).FetchAsync(server.Url("/video.mp4"), "target_video_url", destination, 10_000, CancellationToken.None));

        refusal.Message.ShouldBe("target_video_url resolves to a loopback address");
        connector.Connected.ShouldBeEmpty();
    }

    private GuardedRemoteMediaFetcher Fetcher(Action<RemoteFetchOptions>? configure = null)
    {
        var options = new RemoteFetchOptions { AllowLoopback = true };
        configure?.Invoke(options);
        return new GuardedRemoteMediaFetcher(Options.Create(options), new TestResolver(), connector);
    }

    public void Dispose() => File.Delete(destination);

    private sealed class TestResolver : IHostAddressResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) => host switch
        {
            "media.test" => Task.FromResult<IPAddress[]>([IPAddress.Loopback]),
            "internal.test" => Task.FromResult<IPAddress[]>([IPAddress.Parse("192.168.7.7")]),
            _ => throw new InvalidOperationException($"the test resolved an unexpected host {host}"),
        };
    }

    /// <summary>Connects (really, through the production connector) and remembers where.</summary>
    private sealed class RecordingConnector : IAddressConnector
    {
        private readonly TcpAddressConnector inner = new();

        public List<IPAddress> Connected { get; } = [];

        public ValueTask<Stream> ConnectAsync(IPAddress address, int port, CancellationToken cancellation)
        {
            lock (Connected)
            {
                Connected.Add(address);
            }

            return inner.ConnectAsync(address, port, cancellation);
        }
    }
}

/// <summary>A Kestrel server on 127.0.0.1 with a random port serving the fetcher's test cases.</summary>
public sealed class MediaServer : IAsyncLifetime
{
    public static readonly byte[] Body = [.. Enumerable.Range(0, 4096).Select(i => (byte)i)];
    private WebApplication app = null!;
    private Uri root = null!;
    private Uri rootV6 = null!;

    public Uri Url(string pathAndQuery) => new(root, pathAndQuery);

    public Uri UrlV6(string pathAndQuery) => new(rootV6, pathAndQuery);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0", "http://[::1]:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapGet("/video.mp4", () => Results.Bytes(Body, "video/mp4"));
        app.MapGet("/missing", () => Results.NotFound());
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/loop/{n:int}", (int n) => Results.Redirect($"/loop/{n + 1}"));
        app.MapGet("/hang", async (HttpContext context) => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        app.MapGet("/endless", async (HttpContext context) =>
        {
            // No Content-Length (chunked): only counting the bytes can stop it.
            context.Response.ContentType = "video/mp4";
            for (var i = 0; i < 1000 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(Body, context.RequestAborted);
            }
        });
        await app.StartAsync();
        root = new Uri(app.Urls.First(u => u.Contains("127.0.0.1", StringComparison.Ordinal)));
        rootV6 = new Uri(app.Urls.First(u => u.Contains("[::1]", StringComparison.Ordinal)));
    }

    public async Task DisposeAsync() => await app.DisposeAsync();
}
