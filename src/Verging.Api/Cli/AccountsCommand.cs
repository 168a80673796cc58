using JasperFx.CommandLine;
using Verging.Identity.Accounts;
using Wolverine;

namespace Verging.Api.Cli;

public sealed class AccountsInput : NetCoreInput
{
    [Description("What to do: create")]
    public string Action { get; set; } = "create";

    [Description("E-mail address of the new account")]
    public string EmailFlag { get; set; } = string.Empty;

    [Description("Credits to grant on opening")]
    public long CreditsFlag { get; set; }

    [Description("Write only the API key to standard output (for scripts)")]
    public bool QuietFlag { get; set; }
}

/// <summary>
/// <c>dotnet Verging.Api.dll accounts create --email a@b.c [--credits 1000]</c>: opens an account the
/// same way as <c>POST /admin/v1/accounts</c> and prints its first API key (shown only this once).
/// </summary>
[Description("Manage accounts: 'accounts create --email <address> [--credits N]' opens one and prints its API key", Name = "accounts")]
public sealed class AccountsCommand : JasperFxAsyncCommand<AccountsInput>
{
    public override async Task<bool> Execute(AccountsInput input)
    {
        if (!string.Equals(input.Action, "create", StringComparison.OrdinalIgnoreCase))
        {
            await Console.Error.WriteLineAsync($"Unknown action '{input.Action}'. Use: accounts create --email <address> [--credits N]");
            return false;
        }

        return await CommandHost.RunAsync(input, async services =>
        {
            var bus = services.GetRequiredService<IMessageBus>();
            var outcome = await bus.InvokeAsync<OpenAccountOutcome>(new OpenAccount(input.EmailFlag, input.CreditsFlag));
            if (outcome.Error is not null)
            {
                await Console.Error.WriteLineAsync($"error {outcome.Error.ErrorCode}: {outcome.Error.Message}");
                return false;
            }

            if (input.QuietFlag)
            {
                Console.WriteLine(outcome.ApiKey);
            }
            else
            {
                Console.WriteLine($"Account: {outcome.AccountId}");
                Console.WriteLine($"API key: {outcome.ApiKey}");
            }

            return true;
        });
    }
}
