using System.Globalization;

namespace Verging.Bench.Ledger;

/// <summary>Command-line settings: <c>--name a-seq --accounts 1 --callers 1 --seconds 15 --warmup 3</c>.</summary>
internal sealed record BenchSettings(string Name, int Accounts, int Callers, int Seconds, int WarmupSeconds, long StartingCredits, string Environment)
{
    public static BenchSettings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        return new BenchSettings(
            Get("name", "run"), Int("accounts", 1), Int("callers", 1), Int("seconds", 15), Int("warmup", 3),
            1_000_000_000_000, Get("environment", "Production"));
    }
}
