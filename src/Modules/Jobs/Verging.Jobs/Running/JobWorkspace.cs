using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Verging.Jobs.Domain;
using Verging.Jobs.Processing;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Fetching;
using Verging.SharedKernel.Media;

namespace Verging.Jobs.Running;

/// <summary>The inputs of one attempt, unpacked into a private folder, and what ffprobe says of the video.</summary>
public sealed record StagedInputs(string WorkDirectory, string? ImagePath, string? VideoPath, ProbedMedia? Video);

/// <summary>
/// Brings a job's inputs to local files in a private folder: our own blobs are read straight from
/// the store, a remote target_video_url goes through the SSRF-guarded fetcher. Then the video is
/// measured. The folders are reused, one run at a time each, and emptied in between: creating and
/// removing a directory per job was a tenth of the service's time in the jobs bench (ext4).
/// </summary>
public sealed class JobWorkspace(IBlobStore blobs, IRemoteMediaFetcher fetcher, IOptions<JobsOptions> options) : IDisposable
{
    private readonly ConcurrentBag<string> _folders = [];
    private readonly string _root = Path.Combine(options.Value.WorkRoot, $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>Stages the inputs in a folder of this workspace; give it back with <see cref="Release"/>.</summary>
    public async Task<StagedInputs> StageAsync(Job job, CancellationToken cancellation)
    {
        var directory = Rent();
        try
        {
            return await StageInAsync(directory, job, cancellation);
        }
        catch
        {
            Release(directory);
            throw;
        }
    }

    /// <summary>Empties a folder a run is done with and keeps it for the next; one that cannot be emptied is removed.</summary>
    public void Release(string? directory)
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo folder)
                {
                    folder.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }

            _folders.Add(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove(directory);
        }
    }

    /// <summary>Removes this process's folders when the service stops.</summary>
    public void Dispose() => Remove(_root);

    private string Rent()
    {
        // Created again if something (a temp cleaner) removed it meanwhile.
        var folder = _folders.TryTake(out var free) ? free : Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void Remove(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp folder must not fail a finished job.
        }
    }

    private async Task<StagedInputs> StageInAsync(string directory, Job job, CancellationToken cancellation)
    {
        var image = job.Inputs.ImageKey is { } imageKey ? await CopyBlobAsync(imageKey, Path.Combine(directory, "input-image" + Path.GetExtension(imageKey)), cancellation) : null;
        string? video = null;
        if (job.Inputs.VideoKey is { } videoKey)
        {
            video = await CopyBlobAsync(videoKey, Path.Combine(directory, "input-video" + Path.GetExtension(videoKey)), cancellation);
        }
        else if (job.Inputs.VideoUrl is { } url)
        {
            video = (await FetchAsync(new Uri(url), Path.Combine(directory, "input-video"), cancellation)).Path;
        }

        if (image is not null)
        {
            // Read from the header before anything decodes it.
            var (width, height) = await VideoFacts.ImageSizeAsync(image, cancellation) ?? throw new JobProcessingException("the image could not be read");
            CheckPixels("image", width, height);
        }

        ProbedMedia? probed = null;
        if (video is not null)
        {
            probed = await MediaProbe.ProbeVideoFileAsync(video, cancellation);
            if (probed is not { HasVideo: true } || probed.DurationSeconds <= 0)
            {
                throw new JobProcessingException("target_video_url is not a video we can read (ffprobe found no video stream)");
            }

            CheckPixels("video's frame", probed.Width, probed.Height);
        }

        return new StagedInputs(directory, image, video, probed);
    }

    private void CheckPixels(string what, int width, int height)
    {
        var limit = options.Value.MaxPixels;
        if ((long)width * height > limit)
        {
            throw new JobProcessingException(string.Create(CultureInfo.InvariantCulture,
                $"The {what} is {width}x{height} pixels; at most {limit / 1_000_000.0:0.#} megapixels are accepted"));
        }
    }

    private async Task<FetchedFile> FetchAsync(Uri url, string path, CancellationToken cancellation)
    {
        try
        {
            return await fetcher.FetchAsync(url, "target_video_url", path, options.Value.MaxVideoBytes, cancellation);
        }
        catch (RemoteFetchRefusedException e)
        {
            throw new JobProcessingException(e.Message, e);
        }
        catch (RemoteFetchFailedException e)
        {
            throw new JobProcessingException(e.Message, e);
        }
    }

    private async Task<string> CopyBlobAsync(string key, string path, CancellationToken cancellation)
    {
        // A blob on this machine's disk gets a second name in the workspace instead of a copy:
        // creating files is what a short job spends most of its file-system time on.
        if (blobs.LocalPath(key) is { } local && LocalFiles.TryHardLink(local, path))
        {
            return path;
        }

        var opened = await blobs.OpenAsync(key, cancellation)
            ?? throw new JobProcessingException("An input file of this job is no longer stored (uploads expire); upload it again");
        await using var content = opened.Content;
        await using var file = File.Create(path);
        await content.CopyToAsync(file, cancellation);
        return path;
    }
}
