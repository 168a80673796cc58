using Verging.SharedKernel.Media;

namespace Verging.UnitTests.SharedKernel;

public sealed class ToolStartTests
{
    [Fact]
    public async Task A_tool_runs_in_a_session_of_its_own_so_a_signal_to_the_service_group_does_not_reach_it()
    {
        var (exitCode, output, _) = await ExternalTool.RunAsync("cat", ["/proc/self/stat"], TimeSpan.FromSeconds(10), CancellationToken.None);

        exitCode.ShouldBe(0);
        var (toolGroup, toolSession) = GroupAndSession(output);
        var (ownGroup, ownSession) = GroupAndSession(await File.ReadAllTextAsync("/proc/self/stat"));
        toolGroup.ShouldNotBe(ownGroup);
        toolSession.ShouldNotBe(ownSession);
    }

    [Fact]
    public async Task The_tool_s_own_exit_code_and_output_come_back()
    {
        var (exitCode, output, error) = await ExternalTool.RunAsync("sh", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), CancellationToken.None);

        (exitCode, output.Trim(), error.Trim()).ShouldBe((3, "out", "err"));
    }

    // /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces, so count from its ')'.
    private static (string Group, string Session) GroupAndSession(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[2], fields[3]);
    }
}
