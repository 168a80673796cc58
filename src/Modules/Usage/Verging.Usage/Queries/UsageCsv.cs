using System.Globalization;
using System.Text;
using Verging.SharedKernel.Http;

namespace Verging.Usage.Queries;

/// <summary>The CSV form of usage records (RFC 4180), one line at a time so an export never sits in memory.</summary>
public static class UsageCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>The fields of the JSON records, in the same order, then the model and the key that made the request.</summary>
    public const string Header = "id,service_type,credits_consumed,input_tokens,output_tokens,latency_ms,status,created_at,model,api_key_id";

    public static void AppendLine(StringBuilder line, UsageRecordView r, string model, Guid apiKeyId)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(r);
        var c = CultureInfo.InvariantCulture;
        line.Append(c, $"{r.Id},");
        AppendText(line, r.ServiceType);
        line.Append(c, $",{r.CreditsConsumed},{r.InputTokens},{r.OutputTokens},{r.LatencyMs},");
        AppendText(line, r.Status);
        line.Append(',').Append(IsoTime.Format(r.CreatedAt)).Append(',');
        AppendText(line, model);
        line.Append(',').Append(apiKeyId.ToString()).Append("\r\n");
    }

    /// <summary>
    /// A text field: quoted when it holds a comma, quote or line break (quotes doubled), and prefixed
    /// with an apostrophe when a spreadsheet would run it as a formula (a model name comes from a
    /// provider, and CSV files are opened in spreadsheets).
    /// </summary>
    public static void AppendText(StringBuilder line, string value)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(value);
        var guarded = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        if (guarded.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(guarded);
            return;
        }

        line.Append('"').Append(guarded.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    public static string Escape(string value)
    {
        var line = new StringBuilder();
        AppendText(line, value);
        return line.ToString();
    }
}
