using Microsoft.Extensions.Options;
using Verging.Jobs;
using Verging.Jobs.Domain;
using Verging.Jobs.Processing;
using Verging.Jobs.Running;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Fetching;

namespace Verging.UnitTests.Jobs;

/// <summary>Run folders are reused one run at a time, emptied in between (on a real temporary folder).</summary>
public sealed class JobWorkspaceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("verging-workspace-test").FullName;
    private readonly LocalDiskBlobStore _blobs;
    private readonly JobWorkspace _workspace;

    public JobWorkspaceTests()
    {
        _blobs = new LocalDiskBlobStore(Options.Create(new BlobOptions { Root = Path.Combine(_root, "blobs") }), TimeProvider.System);
        _workspace = new JobWorkspace(_blobs, new NoFetcher(), Options.Create(new JobsOptions { WorkRoot = Path.Combine(_root, "work") }));
    }

    [Fact]
    public async Task A_released_folder_is_emptied_and_staged_into_again()
    {
        var first = await _workspace.StageAsync(await ImageJobAsync([1, 2, 3]), CancellationToken.None);
        (await File.ReadAllBytesAsync(first.ImagePath!)).ShouldBe(new byte[] { 1, 2, 3 });
        Directory.CreateDirectory(Path.Combine(first.WorkDirectory, "frames"));
        await File.WriteAllBytesAsync(Path.Combine(first.WorkDirectory, "frames", "0001.png"), [0]);
        await File.WriteAllBytesAsync(Path.Combine(first.WorkDirectory, "output.png"), [0]);
        _workspace.Release(first.WorkDirectory);

        Directory.EnumerateFileSystemEntries(first.WorkDirectory).ShouldBeEmpty();
        var second = await _workspace.StageAsync(await ImageJobAsync([4, 5]), CancellationToken.None);
        second.WorkDirectory.ShouldBe(first.WorkDirectory);
        (await File.ReadAllBytesAsync(second.ImagePath!)).ShouldBe(new byte[] { 4, 5 });
    }

    [Fact]
    public async Task A_run_whose_inputs_cannot_be_staged_gives_its_folder_back_empty()
    {
        var missing = new Job { Id = Guid.CreateVersion7(), Attempt = 1, Inputs = new JobInputs("jobs/inputs/2026/12/01/gone.png", null, null) };

        await Should.ThrowAsync<JobProcessingException>(() => _workspace.StageAsync(missing, CancellationToken.None));

        var next = await _workspace.StageAsync(await ImageJobAsync([7]), CancellationToken.None);
        Directory.EnumerateFileSystemEntries(next.WorkDirectory).ShouldBe([next.ImagePath!]);
        _workspace.Dispose();
        Directory.Exists(next.WorkDirectory).ShouldBeFalse();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<Job> ImageJobAsync(byte[] bytes)
    {
        using var content = new MemoryStream(bytes);
        var blob = await _blobs.PutAsync("jobs/inputs", "png", content, "image/png", CancellationToken.None);
        return new Job { Id = Guid.CreateVersion7(), Attempt = 1, Inputs = new JobInputs(blob.Key, null, null) };
    }

    private sealed class NoFetcher : IRemoteMediaFetcher
    {
        public Task<FetchedFile> FetchAsync(Uri url, string field, string destinationPath, long maxBytes, CancellationToken cancellation) =>
            throw new InvalidOperationException("no remote inputs in these tests");

        public Task<FetchedBytes> FetchBytesAsync(Uri url, string field, long maxBytes, CancellationToken cancellation) =>
            throw new InvalidOperationException("no remote inputs in these tests");

        public Task CheckAsync(Uri url, string field, CancellationToken cancellation) => throw new InvalidOperationException("no remote inputs in these tests");
    }
}
