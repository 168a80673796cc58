using System.Globalization;
using System.Runtime.InteropServices;
using OpenCvSharp;
using Verging.Jobs.Contracts;

namespace Verging.Jobs.Processing;

/// <summary>
/// Baseline face swap, classical: the largest face of the swap image (Haar cascade) is blended onto every face
/// detected in each frame of the target video (<see cref="FaceBlender"/>). Frames stream from one ffmpeg (decode
/// to raw BGR) through OpenCV into another (H.264 encode, audio taken from the original), never touching disk.
/// A face lost for a few frames keeps its last position, which hides detector flicker. It transplants texture;
/// it does not align landmarks or follow head pose the way a neural face swap does.
/// </summary>
internal sealed class FaceSwapProcessor : IJobProcessor
{
    private const int HoldFrames = 5;

    public string JobType => JobTypes.FaceSwap;

    public async Task<ProcessorResult> ProcessAsync(ProcessorInput input, IProgress<int> progress, CancellationToken cancellation)
    {
        var video = input.VideoPath ?? throw new ArgumentException("face-swap needs a video", nameof(input));
        var image = input.ImagePath ?? throw new ArgumentException("face-swap needs a swap image", nameof(input));
        using var cascade = FaceCascade.Load();
        using var blender = SwapFace(cascade, image);
        var facts = await VideoFacts.ProbeAsync(video, cancellation);
        var output = Path.Combine(input.WorkDirectory, "swapped.mp4");
        var (width, height) = (facts.DisplayWidth, facts.DisplayHeight);
        var frameBytes = width * height * 3;
        var expectedFrames = Math.Max(1, facts.DurationSeconds * facts.FramesPerSecond);

        await using var decoder = ToolProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-i", video, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"]);
        string[] audio = facts.AudioCodec is null ? ["-an"] : ["-c:a", facts.AudioCopiesIntoMp4 ? "copy" : "aac"];
        await using var encoder = ToolProcess.Start("ffmpeg",
            ["-nostdin", "-v", "error", "-y",
             "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}", "-r", facts.FrameRate, "-i", "-",
             "-i", video, "-map", "0:v:0", "-map", "1:a:0?",
             "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
             .. audio, "-movflags", "+faststart", output],
            writesInput: true);

        var buffer = new byte[frameBytes];
        using var frame = new Mat(height, width, MatType.CV_8UC3);
        var frames = 0;
        var framesWithFace = 0;
        Rect[] lastFaces = [];
        var sinceLastFace = int.MaxValue;
        while (await ReadFrameAsync(decoder.Output, buffer, cancellation))
        {
            Marshal.Copy(buffer, 0, frame.Data, frameBytes);
            var faces = cascade.Detect(frame);
            if (faces.Length > 0)
            {
                (lastFaces, sinceLastFace) = (faces, 0);
            }
            else if (++sinceLastFace <= HoldFrames)
            {
                faces = lastFaces;
            }

            foreach (var face in faces)
            {
                blender.BlendOnto(frame, face);
            }

            framesWithFace += faces.Length > 0 ? 1 : 0;
            Marshal.Copy(frame.Data, buffer, 0, frameBytes);
            await encoder.Input.WriteAsync(buffer, cancellation);
            progress.Report((int)Math.Min(99, ++frames * 100 / expectedFrames));
        }

        encoder.Input.Close();
        var (decoded, decodeErrors) = await decoder.WaitAsync(cancellation);
        var (encoded, encodeErrors) = await encoder.WaitAsync(cancellation);
        if (decoded != 0 || frames == 0)
        {
            throw new JobProcessingException("the target video could not be decoded", new InvalidOperationException(decodeErrors));
        }

        if (framesWithFace == 0)
        {
            throw new JobProcessingException("no face was found in any frame of the target video");
        }

        if (encoded != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed to encode the swapped video ({encoded}): {encodeErrors.Trim()}");
        }

        progress.Report(100);
        return new ProcessorResult([new ProcessorOutput(output, "video/mp4", "video")]);
    }

    private static FaceBlender SwapFace(FaceCascade cascade, string imagePath)
    {
        using var image = Cv2.ImRead(imagePath, ImreadModes.Color);
        if (image.Empty())
        {
            throw new JobProcessingException("the swap image could not be read");
        }

        var faces = cascade.Detect(image, detectWidth: 800);
        if (faces.Length == 0)
        {
            throw new JobProcessingException("no face was found in the swap image");
        }

        var largest = faces.MaxBy(f => f.Width * f.Height);
        using var face = new Mat(image, largest);
        return new FaceBlender(face.Clone());
    }

    /// <summary>Fills <paramref name="buffer"/> with one frame; false at the end of the stream.</summary>
    private static async Task<bool> ReadFrameAsync(Stream stream, byte[] buffer, CancellationToken cancellation)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellation);
        return read == buffer.Length;
    }
}
