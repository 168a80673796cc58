using System.Diagnostics;

namespace Verging.SharedKernel.Media;

/// <summary>
/// How ffmpeg, ffprobe and espeak-ng are started: arguments as a list (never through a shell), and in a
/// session of their own. A stop signal sent to the service's whole process group (Ctrl-C in a terminal,
/// <c>kill -- -pgid</c>, a supervisor stopping the group) used to reach the tools too: ffmpeg died mid-job
/// before the host had begun its graceful stop, and the runner recorded a crash (the job failed) instead
/// of leaving it to be queued again. In their own session only the service decides when they stop: on
/// its shutdown it cancels them (Process.Kill), and the job's lease brings the job back.
/// </summary>
public static class ToolStart
{
    private const string Setsid = "/usr/bin/setsid";
    private static readonly bool HasSetsid = OperatingSystem.IsLinux() && File.Exists(Setsid);

    public static ProcessStartInfo Info(string tool, IEnumerable<string> arguments)
    {
        // setsid execs the tool in place (the child is no group leader, so it does not fork): the pid,
        // exit code and standard streams are the tool's own.
        var start = new ProcessStartInfo(HasSetsid ? Setsid : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (HasSetsid)
        {
            start.ArgumentList.Add(tool);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
