using System.Globalization;
using Verging.SharedKernel.Media;

namespace Verging.AiProxy.Providers.Sandbox;

/// <summary>Real speech: espeak-ng reads the text to WAV, ffmpeg encodes it in the requested format.</summary>
public static class SandboxSpeech
{
    // OpenAI's voices mapped to espeak-ng voices that differ audibly.
    private static readonly Dictionary<string, string> Voices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alloy"] = "en-us", ["echo"] = "en-us+m3", ["fable"] = "en-gb", ["onyx"] = "en-us+m7", ["nova"] = "en-us+f3", ["shimmer"] = "en-us+f4",
    };

    public static async Task<byte[]> SynthesizeAsync(SpeechRequest request, CancellationToken cancellation)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"verging-tts-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var wav = Path.Combine(folder, "speech.wav");
            var text = Path.Combine(folder, "input.txt");
            await File.WriteAllTextAsync(text, request.Input, cancellation);
            var wordsPerMinute = Math.Clamp((int)(175 * request.Speed), 80, 450).ToString(CultureInfo.InvariantCulture);
            var spoken = await ExternalTool.RunAsync("espeak-ng",
                ["-v", Voices.GetValueOrDefault(request.Voice, "en-us"), "-s", wordsPerMinute, "-f", text, "-w", wav], TimeSpan.FromSeconds(60), cancellation);
            if (spoken.ExitCode != 0)
            {
                throw new ProviderException(ProviderFailure.UpstreamError, $"espeak-ng failed: {spoken.Error.Trim()}");
            }

            if (request.Format == "wav")
            {
                return await File.ReadAllBytesAsync(wav, cancellation);
            }

            var output = Path.Combine(folder, "speech.out");
            var (container, codec) = request.Format switch
            {
                "opus" => ("ogg", "libopus"),
                "aac" => ("adts", "aac"),
                "flac" => ("flac", "flac"),
                "pcm" => ("s16le", "pcm_s16le"),
                _ => ("mp3", "libmp3lame"),
            };
            var encoded = await ExternalTool.RunAsync("ffmpeg",
                ["-v", "error", "-y", "-i", wav, "-ar", "24000", "-ac", "1", "-c:a", codec, "-f", container, output], TimeSpan.FromSeconds(60), cancellation);
            if (encoded.ExitCode != 0)
            {
                throw new ProviderException(ProviderFailure.UpstreamError, $"ffmpeg failed: {encoded.Error.Trim()}");
            }

            return await File.ReadAllBytesAsync(output, cancellation);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
