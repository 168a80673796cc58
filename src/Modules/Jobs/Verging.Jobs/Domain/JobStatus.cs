namespace Verging.Jobs.Domain;

/// <summary>A job's status as the API shows it (the reference's four, plus cancelled and expired).</summary>
public static class JobStatus
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";

    public static readonly IReadOnlyList<string> All = [Pending, Processing, Completed, Failed, Cancelled, Expired];

    public static bool IsFinished(string status) => status is Completed or Failed or Cancelled or Expired;
}
