using System.Net;
using Microsoft.Extensions.Options;
using Verging.SharedKernel.Fetching;

namespace Verging.UnitTests.SharedKernel;

/// <summary>
/// The guard refuses before any connection: the resolver is a fake and the connector counts attempts (and would
/// fail the test by connecting nowhere), so none of these tests can reach a non-loopback address.
/// </summary>
public class RemoteFetchGuardTests
{
    private readonly FakeResolver resolver = new()
    {
        ["media.example"] = ["93.184.216.34"],
        ["mixed.example"] = ["93.184.216.34", "10.0.0.5"],
        ["mixed-v6.example"] = ["2606:4700:4700::1111", "fd12:3456::1"],
        ["internal.example"] = ["192.168.10.20"],
        ["localhost.example"] = ["127.0.0.1"],
        ["metadata.example"] = ["169.254.169.254"],
        ["linklocal-v6.example"] = ["fe80::1"],
        ["nothing.example"] = [],
    };

    private readonly CountingConnector connector = new();

    public static TheoryData<string, string> RefusedUrls => new()
    {
        { "http://127.0.0.1/video.mp4", "loopback" },
        { "http://2130706433/video.mp4", "loopback" },
        { "http://0x7f.1/video.mp4", "loopback" },
        { "http://0177.0.0.1/video.mp4", "loopback" },
        { "http://0x7f000001/video.mp4", "loopback" },
        { "http://127.1/video.mp4", "loopback" },
        { "http://[::1]/video.mp4", "loopback" },
        { "http://[::ffff:127.0.0.1]/video.mp4", "loopback" },
        { "http://[::ffff:7f00:1]/video.mp4", "loopback" },
        { "http://[::]/video.mp4", "unspecified" },
        { "http://0.0.0.0/video.mp4", "unspecified" },
        { "http://0/video.mp4", "unspecified" },
        { "http://10.0.0.1/video.mp4", "private" },
        { "http://172.16.0.1/video.mp4", "private" },
        { "http://172.31.255.255/video.mp4", "private" },
        { "http://192.168.0.1/video.mp4", "private" },
        { "http://100.64.0.1/video.mp4", "private" },
        { "http://169.254.169.254/latest/meta-data/", "cloud metadata" },
        { "http://[::ffff:169.254.169.254]/latest/meta-data/", "cloud metadata" },
        { "http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata" },
        { "http://169.254.0.1/video.mp4", "link-local" },
        { "http://[fd00::1]/video.mp4", "private" },
        { "http://[fe80::1]/video.mp4", "link-local" },
        { "http://[ff02::1]/video.mp4", "multicast" },
        { "http://224.0.0.1/video.mp4", "multicast" },
        { "http://255.255.255.255/video.mp4", "broadcast" },
        { "http://[64:ff9b::a00:1]/video.mp4", "private" },
        { "https://10.0.0.1:8443/video.mp4", "private" },
        { "http://mixed.example/video.mp4", "private" },
        { "http://mixed-v6.example/video.mp4", "private" },
        { "http://internal.example/video.mp4", "private" },
        { "http://localhost.example/video.mp4", "loopback" },
        { "http://metadata.example/video.mp4", "cloud metadata" },
        { "http://linklocal-v6.example/video.mp4", "link-local" },
    };

    [Theory]
    [MemberData(nameof(RefusedUrls))]
    public async Task Refuses_without_connecting(string url, string kind)
    {
        var fetcher = Fetcher(allowLoopback: false);
        var destination = Path.Combine(Path.GetTempPath(), $"verging-fetch-{Guid.NewGuid():N}");

        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(fetcher.FetchAsync(new Uri(url), "target_video_url", destination, 1000, CancellationToken.None));
        await Should.ThrowAsync<RemoteFetchRefusedException>(fetcher.CheckAsync(new Uri(url), "target_video_url", CancellationToken.None));

        refusal.Message.ShouldBe($"target_video_url resolves to {(kind[0] is 'a' or 'u' ? "an" : "a")} {kind} address");
        connector.Attempts.ShouldBe(0);
        File.Exists(destination).ShouldBeFalse();
    }

    [Theory]
    [InlineData("file:///etc/passwd", "target_video_url must be an http or https URL")]
    [InlineData("ftp://media.example/video.mp4", "target_video_url must be an http or https URL")]
    [InlineData("gopher://media.example:70/_GET", "target_video_url must be an http or https URL")]
    [InlineData("http://media.example@127.0.0.1/video.mp4", "target_video_url must not contain a user name or password")]
    [InlineData("http://user:pass@media.example/video.mp4", "target_video_url must not contain a user name or password")]
    public async Task Refuses_the_url_before_resolving_it(string url, string message)
    {
        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher(allowLoopback: false).FetchAsync(new Uri(url), "target_video_url", Path.GetTempFileName(), 1000, CancellationToken.None));

        refusal.Message.ShouldBe(message);
        resolver.Lookups.ShouldBeEmpty();
        connector.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task Loopback_allowed_by_configuration_admits_loopback_but_nothing_private()
    {
        var fetcher = Fetcher(allowLoopback: true);

        await fetcher.CheckAsync(new Uri("http://localhost.example:5000/video.mp4"), "target_video_url", CancellationToken.None);
        await fetcher.CheckAsync(new Uri("http://[::1]:5000/video.mp4"), "target_video_url", CancellationToken.None);
        await Should.ThrowAsync<RemoteFetchRefusedException>(fetcher.CheckAsync(new Uri("http://internal.example/"), "target_video_url", CancellationToken.None));
        await Should.ThrowAsync<RemoteFetchRefusedException>(fetcher.CheckAsync(new Uri("http://169.254.169.254/"), "target_video_url", CancellationToken.None));
        connector.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task The_pre_check_admits_a_public_host_without_connecting()
    {
        await Fetcher(allowLoopback: false).CheckAsync(new Uri("https://media.example/video.mp4"), "target_video_url", CancellationToken.None);

        resolver.Lookups.ShouldBe(["media.example"]);
        connector.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task A_host_that_resolves_to_nothing_is_a_fetch_failure()
    {
        var failure = await Should.ThrowAsync<RemoteFetchFailedException>(
            Fetcher(allowLoopback: false).FetchAsync(new Uri("http://nothing.example/"), "target_video_url", Path.GetTempFileName(), 1000, CancellationToken.None));

        failure.Message.ShouldBe("target_video_url: the host name could not be resolved");
        connector.Attempts.ShouldBe(0);
    }

    [Fact]
    public async Task The_pre_check_refuses_a_host_that_resolves_to_nothing()
    {
        var refusal = await Should.ThrowAsync<RemoteFetchRefusedException>(
            Fetcher(allowLoopback: false).CheckAsync(new Uri("http://nothing.example/"), "target_video_url", CancellationToken.None));

        refusal.Message.ShouldBe("target_video_url: the host name could not be resolved");
    }

    private GuardedRemoteMediaFetcher Fetcher(bool allowLoopback) =>
        new(Options.Create(new RemoteFetchOptions { AllowLoopback = allowLoopback }), resolver, connector);

    private sealed class FakeResolver : Dictionary<string, string[]>, IHostAddressResolver
    {
        public List<string> Lookups { get; } = [];

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
        {
            Lookups.Add(host);
            return Task.FromResult(this[host].Select(IPAddress.Parse).ToArray());
        }
    }

    private sealed class CountingConnector : IAddressConnector
    {
        public int Attempts { get; private set; }

        public ValueTask<Stream> ConnectAsync(IPAddress address, int port, CancellationToken cancellation)
        {
            Attempts++;
            throw new InvalidOperationException($"the guard tried to connect to {address}:{port}");
        }
    }
}
