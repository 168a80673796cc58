using JasperFx.CommandLine;

namespace Verging.Api.Cli;

/// <summary>What every host command does around its own work: parse an optional account id, run on a started host.</summary>
internal static class CommandHost
{
    /// <summary>Runs <paramref name="work"/> on the application's host, started for it and stopped afterwards.</summary>
    public static async Task<bool> RunAsync(NetCoreInput input, Func<IServiceProvider, Task<bool>> work)
    {
        using var host = input.BuildHost();
        await host.StartAsync();
        try
        {
            return await work(host.Services);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>An <c>--account</c> flag: empty is none; anything else must be an account id (false, with the error printed, if not).</summary>
    public static bool TryParseAccount(string flag, out Guid? account)
    {
        account = null;
        if (string.IsNullOrEmpty(flag))
        {
            return true;
        }

        if (!Guid.TryParse(flag, out var parsed))
        {
            Console.Error.WriteLine($"--account: '{flag}' is not an account id");
            return false;
        }

        account = parsed;
        return true;
    }
}
