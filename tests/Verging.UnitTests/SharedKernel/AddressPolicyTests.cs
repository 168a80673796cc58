using System.Net;
using Verging.SharedKernel.Fetching;

namespace Verging.UnitTests.SharedKernel;

public class AddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.254", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private")]
    [InlineData("100.127.255.254", "private")]
    [InlineData("169.254.169.254", "cloud metadata")]
    [InlineData("fd00:ec2::254", "cloud metadata")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "private")]
    [InlineData("fc00::1", "private")]
    [InlineData("fec0::1", "private")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.2.1", "reserved")]
    [InlineData("198.18.0.1", "reserved")]
    [InlineData("2001:db8::1", "reserved")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved")] // Teredo
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "cloud metadata")]
    [InlineData("::127.0.0.1", "loopback")] // IPv4-compatible
    [InlineData("64:ff9b::a9fe:a9fe", "cloud metadata")] // NAT64 of 169.254.169.254
    [InlineData("2002:c0a8:0101::1", "private")] // 6to4 of 192.168.1.1
    [InlineData("100::1", "reserved")] // discard-only
    [InlineData("2002:0808:0808::1", "reserved")] // 6to4 (deprecated relays) even of a public address
    public void Refuses_special_purpose_addresses(string address, string kind)
    {
        AddressPolicy.Classify(IPAddress.Parse(address)).ShouldBe(kind);
        AddressPolicy.CheckAddress(IPAddress.Parse(address), allowLoopback: false, "target_video_url").ShouldNotBeNull().ShouldContain(kind);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")] // just past 172.16/12
    [InlineData("100.128.0.1")] // just past 100.64/10
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Admits_public_unicast_addresses(string address) =>
        AddressPolicy.CheckAddress(IPAddress.Parse(address), allowLoopback: false, "target_video_url").ShouldBeNull();

    [Fact]
    public void Loopback_is_admitted_only_when_configured_and_nothing_else_with_it()
    {
        AddressPolicy.CheckAddress(IPAddress.Loopback, allowLoopback: true, "target_video_url").ShouldBeNull();
        AddressPolicy.CheckAddress(IPAddress.IPv6Loopback, allowLoopback: true, "target_video_url").ShouldBeNull();
        AddressPolicy.CheckAddress(IPAddress.Parse("::ffff:127.0.0.1"), allowLoopback: true, "target_video_url").ShouldBeNull();
        AddressPolicy.CheckAddress(IPAddress.Parse("10.0.0.1"), allowLoopback: true, "target_video_url").ShouldBe("target_video_url resolves to a private address");
        AddressPolicy.CheckAddress(IPAddress.Parse("169.254.169.254"), allowLoopback: true, "target_video_url").ShouldBe("target_video_url resolves to a cloud metadata address");
    }

    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://[::ffff:127.0.0.1]/", "127.0.0.1")]
    [InlineData("http://[::1]:8080/", "::1")]
    public void Reads_every_notation_of_a_literal_address(string url, string expected)
    {
        var address = AddressPolicy.LiteralAddress(new Uri(url)).ShouldNotBeNull();
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ShouldBe(IPAddress.Parse(expected));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/video.mp4")]
    [InlineData("gopher://example.com:70/_GET")]
    [InlineData("dict://example.com:11211/stat")]
    [InlineData("ws://example.com/socket")]
    public void Refuses_schemes_other_than_http_and_https(string url) =>
        AddressPolicy.CheckUrl(new Uri(url), "target_video_url").ShouldBe("target_video_url must be an http or https URL");

    [Theory]
    [InlineData("http://user:secret@example.com/video.mp4")]
    [InlineData("http://example.com@127.0.0.1/video.mp4")]
    [InlineData("https://trusted.example%40evil@10.0.0.1/")]
    public void Refuses_user_info_in_the_url(string url) =>
        AddressPolicy.CheckUrl(new Uri(url), "target_video_url").ShouldBe("target_video_url must not contain a user name or password");

    [Theory]
    [InlineData("http://example.com/video.mp4")]
    [InlineData("https://cdn.example.com:8443/a/b.mp4?sig=1")]
    public void Admits_plain_http_and_https_urls(string url) => AddressPolicy.CheckUrl(new Uri(url), "target_video_url").ShouldBeNull();
}
