using Microsoft.Extensions.Options;
using Verging.SharedKernel.Blobs;

namespace Verging.UnitTests.SharedKernel;

/// <summary>
/// Instances sharing one blob folder and no configured key share the key the first of them creates there,
/// however many start at once: a URL signed by one must open on every other.
/// </summary>
public sealed class BlobUrlSignerKeyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("verging-signer-test").FullName;

    [Fact]
    public async Task Signers_starting_together_on_one_folder_all_use_one_whole_key()
    {
        for (var round = 0; round < 20; round++)
        {
            var folder = Path.Combine(_root, $"round-{round}");
            using var start = new Barrier(8);
            var signers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return new BlobUrlSigner(Options.Create(new BlobOptions { Root = folder }), TimeProvider.System);
            })));

            var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
            request.Scheme = "http";
            request.Host = new("localhost");
            var url = new Uri(signers[0].SignedUrl(request, "proxy/tts/a.mp3").Url);
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query);
            signers.ShouldAllBe(s => s.IsValid("proxy/tts/a.mp3", query["expires"].ToString(), query["sig"].ToString()));
            File.ReadAllBytes(Path.Combine(folder, ".url-signing-key")).Length.ShouldBe(32);
            Directory.GetFiles(folder, "*draft*").ShouldBeEmpty("every draft key is moved into place or removed");
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
