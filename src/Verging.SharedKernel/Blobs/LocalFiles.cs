using System.Runtime.InteropServices;

namespace Verging.SharedKernel.Blobs;

/// <summary>File operations .NET has no API for.</summary>
public static class LocalFiles
{
    /// <summary>
    /// Gives <paramref name="existing"/> a second name (a hard link): no bytes copied and no new
    /// file created. False when the system cannot (another file system, not Linux, not permitted);
    /// the caller copies instead.
    /// </summary>
    public static bool TryHardLink(string existing, string linkPath) =>
        OperatingSystem.IsLinux() && Link(existing, linkPath) == 0;

    // DllImport rather than LibraryImport: its generated marshalling would need unsafe code in this project.
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string linkPath);
}
