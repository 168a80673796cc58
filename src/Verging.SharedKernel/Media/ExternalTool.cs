using System.Diagnostics;

namespace Verging.SharedKernel.Media;

/// <summary>Runs ffmpeg, ffprobe or espeak-ng to completion with a time limit (started as <see cref="ToolStart"/> says).</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan limit, CancellationToken cancellation)
    {
        using var process = Process.Start(ToolStart.Info(tool, arguments)) ?? throw new InvalidOperationException($"{tool} could not be started");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }
}
