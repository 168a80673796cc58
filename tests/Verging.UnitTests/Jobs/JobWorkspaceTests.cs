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
        var (firstPng, secondPng) = (Png(8), Png(9));
        var first = await _workspace.StageAsync(await ImageJobAsync(firstPng), CancellationToken.None);
        (await File.ReadAllBytesAsync(first.ImagePath!)).ShouldBe(firstPng);
        Directory.CreateDirectory(Path.Combine(first.WorkDirectory, "frames"));
        await File.WriteAllBytesAsync(Path.Combine(first.WorkDirectory, "frames", "0001.png"), [0]);
        await File.WriteAllBytesAsync(Path.Combine(first.WorkDirectory, "output.png"), [0]);
        _workspace.Release(first.WorkDirectory);

        Directory.EnumerateFileSystemEntries(first.WorkDirectory).ShouldBeEmpty();
        var second = await _workspace.StageAsync(await ImageJobAsync(secondPng), CancellationToken.None);
        second.WorkDirectory.ShouldBe(first.WorkDirectory);
        (await File.ReadAllBytesAsync(second.ImagePath!)).ShouldBe(secondPng);
    }

    [Fact]
    public async Task A_run_whose_inputs_cannot_be_staged_gives_its_folder_back_empty()
    {
        var missing = new Job { Id = Guid.CreateVersion7(), Attempt = 1, Inputs = new JobInputs("jobs/inputs/2026/12/01/gone.png", null, null) };

        await Should.ThrowAsync<JobProcessingException>(() => _workspace.StageAsync(missing, CancellationToken.None));

        var next = await _workspace.StageAsync(await ImageJobAsync(Png(10)), CancellationToken.None);
        Directory.EnumerateFileSystemEntries(next.WorkDirectory).ShouldBe([next.ImagePath!]);
        _workspace.Dispose();
        Directory.Exists(next.WorkDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task An_image_that_cannot_be_read_or_has_too_many_pixels_is_refused_before_a_processor_decodes_it()
    {
        var unreadable = await ImageJobAsync([1, 2, 3]);
        (await Should.ThrowAsync<JobProcessingException>(() => _workspace.StageAsync(unreadable, CancellationToken.None)))
            .Message.ShouldBe("the image could not be read");
        var small = new JobWorkspace(_blobs, new NoFetcher(), Options.Create(new JobsOptions { WorkRoot = Path.Combine(_root, "small"), MaxPixels = 1_000_000 }));
        var large = await ImageJobAsync(Png(1001));
        (await Should.ThrowAsync<JobProcessingException>(() => small.StageAsync(large, CancellationToken.None)))
            .Message.ShouldBe("The image is 1001x1001 pixels; at most 1 megapixels are accepted");
        small.Dispose();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A real PNG (the workspace reads an image's size from its header before a run).</summary>
    private static byte[] Png(int size)
    {
        using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(size, size);
        using var png = new MemoryStream();
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, png);
        return png.ToArray();
    }

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
