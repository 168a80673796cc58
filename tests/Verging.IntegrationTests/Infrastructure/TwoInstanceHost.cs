using Alba;
using Wolverine;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// Two instances of the app on ONE database, as in production behind a load balancer: each has its
/// own ledger writer (own shards, own cache), so only the database row locks keep them apart.
/// </summary>
public sealed class TwoInstanceHost : VergingHost
{
    public IAlbaHost Second { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Second = await StartHostAsync();
    }

    public override async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Sends a command to the first instance for even <paramref name="index"/>, to the second for odd.</summary>
    public Task<T> InvokeOnAsync<T>(int index, object command) =>
        (index % 2 == 0 ? Host : Second).MessageBus().InvokeAsync<T>(command);
}
