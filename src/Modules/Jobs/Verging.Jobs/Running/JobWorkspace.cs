using Microsoft.Extensions.Options;
using Verging.Jobs.Domain;
using Verging.Jobs.Fetching;
using Verging.SharedKernel.Blobs;
using Verging.SharedKernel.Media;
using Verging.Jobs.Processing;

namespace Verging.Jobs.Running;

/// <summary>The inputs of one attempt, unpacked into a private folder, and what ffprobe says of the video.</summary>
public sealed record StagedInputs(string WorkDirectory, string? ImagePath, string? VideoPath, ProbedMedia? Video);

/// <summary>
/// Brings a job's inputs to local files: our own blobs are read straight from the store, a remote
/// target_video_url goes through the SSRF-guarded fetcher. Then the video is measured.
/// </summary>
public sealed class JobWorkspace(IBlobStore blobs, IRemoteMediaFetcher fetcher, IOptions<JobsOptions> options)
{
    public async Task<StagedInputs> StageAsync(Job job, CancellationToken cancellation)
    {
        var directory = Path.Combine(options.Value.WorkRoot, $"{job.Id:N}-{job.Attempt}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
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

        ProbedMedia? probed = null;
        if (video is not null)
        {
            probed = await MediaProbe.ProbeFileAsync(video, cancellation);
            if (probed is not { HasVideo: true } || probed.DurationSeconds <= 0)
            {
                throw new JobProcessingException("target_video_url is not a video we can read (ffprobe found no video stream)");
            }
        }

        return new StagedInputs(directory, image, video, probed);
    }

    public static void Clean(string? directory)
    {
        try
        {
            if (directory is not null && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a finished job.
        }
    }

    private async Task<FetchedFile> FetchAsync(Uri url, string path, CancellationToken cancellation)
    {
        try
        {
            return await fetcher.FetchAsync(url, path, options.Value.MaxVideoBytes, cancellation);
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
