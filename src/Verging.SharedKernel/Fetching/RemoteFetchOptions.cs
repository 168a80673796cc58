namespace Verging.SharedKernel.Fetching;

/// <summary>Configuration section <c>RemoteFetch</c>: one guard for every module that downloads a customer's URL.</summary>
public sealed class RemoteFetchOptions
{
    public const string Section = "RemoteFetch";

    /// <summary>Admits loopback addresses (127.0.0.0/8, ::1): local development and tests only, never production.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Hard cap on a download, whatever the caller asks for.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>For the whole fetch: every connection, redirect and the body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxRedirects { get; set; } = 5;
}
