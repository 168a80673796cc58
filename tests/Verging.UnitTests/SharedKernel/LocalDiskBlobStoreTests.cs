using Microsoft.Extensions.Options;
using Verging.SharedKernel.Blobs;

namespace Verging.UnitTests.SharedKernel;

/// <summary>The local blob store's file moves and links (on a real temporary folder).</summary>
public sealed class LocalDiskBlobStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("verging-blob-test").FullName;
    private readonly LocalDiskBlobStore _store;

    public LocalDiskBlobStoreTests() => _store = new LocalDiskBlobStore(Options.Create(new BlobOptions { Root = Path.Combine(_root, "blobs") }), TimeProvider.System);

    [Fact]
    public async Task A_file_is_moved_into_the_store_whole_and_its_old_name_is_gone()
    {
        var source = Path.Combine(_root, "output.mp4");
        await File.WriteAllBytesAsync(source, [1, 2, 3, 4, 5]);

        var blob = await ((IBlobStore)_store).PutFileAsync("jobs/x", "mp4", source, "video/mp4", CancellationToken.None);

        File.Exists(source).ShouldBeFalse();
        (blob.Size, blob.ContentType).ShouldBe((5L, "video/mp4"));
        blob.Key.ShouldStartWith("jobs/x/");
        blob.Key.ShouldEndWith(".mp4");
        (await File.ReadAllBytesAsync(_store.PathFor(blob.Key))).ShouldBe(new byte[] { 1, 2, 3, 4, 5 });
        Directory.GetFiles(Path.GetDirectoryName(_store.PathFor(blob.Key))!, "*.partial").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_hard_link_to_a_stored_file_keeps_its_bytes_after_the_blob_is_deleted()
    {
        using var content = new MemoryStream([9, 8, 7]);
        var blob = await _store.PutAsync("jobs/inputs", "png", content, "image/png", CancellationToken.None);
        var local = ((IBlobStore)_store).LocalPath(blob.Key);
        local.ShouldBe(_store.PathFor(blob.Key));

        var staged = Path.Combine(_root, "input-image.png");
        LocalFiles.TryHardLink(local!, staged).ShouldBeTrue();
        await _store.DeleteAsync(blob.Key, CancellationToken.None);

        ((IBlobStore)_store).LocalPath(blob.Key).ShouldBeNull();
        (await File.ReadAllBytesAsync(staged)).ShouldBe(new byte[] { 9, 8, 7 });
        LocalFiles.TryHardLink(Path.Combine(_root, "missing"), Path.Combine(_root, "link")).ShouldBeFalse();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
