using System.Diagnostics;
using System.Text;
using Verging.SharedKernel.Media;

namespace Verging.Jobs.Processing;

/// <summary>
/// A running ffmpeg whose standard streams the caller reads and writes while it runs (progress lines, raw
/// frames). <see cref="Verging.SharedKernel.Media.ExternalTool"/> covers the run-to-completion case; this one
/// is for streaming. Arguments go as a list, never through a shell; disposing kills a process still running,
/// so a cancelled job leaves no ffmpeg behind.
/// </summary>
internal sealed class ToolProcess : IAsyncDisposable
{
    private const int ErrorTailChars = 4000;
    private readonly Process process;
    private readonly Task<string> errorTail;

    private ToolProcess(Process process)
    {
        this.process = process;
        errorTail = KeepTailAsync(process.StandardError);
    }

    public Stream Output => process.StandardOutput.BaseStream;

    public Stream Input => process.StandardInput.BaseStream;

    public StreamReader OutputText => process.StandardOutput;

    public static ToolProcess Start(string tool, IEnumerable<string> arguments, bool writesInput = false)
    {
        var start = ToolStart.Info(tool, arguments);
        start.RedirectStandardInput = writesInput;
        return new ToolProcess(Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not be started"));
    }

    /// <summary>Waits for the exit; on cancellation kills the process tree and rethrows.</summary>
    public async Task<(int ExitCode, string ErrorTail)> WaitAsync(CancellationToken cancellation)
    {
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }

        return (process.ExitCode, await errorTail);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    // stderr must be drained or ffmpeg blocks on a full pipe; only the end is worth keeping for a failure message.
    private static async Task<string> KeepTailAsync(StreamReader reader)
    {
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * ErrorTailChars)
            {
                tail.Remove(0, tail.Length - ErrorTailChars);
            }
        }

        return tail.Length > ErrorTailChars ? tail.ToString(tail.Length - ErrorTailChars, ErrorTailChars) : tail.ToString();
    }
}
