using System.Text.Json.Nodes;
using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wolverine;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// The real host (Program) on its own real PostgreSQL database, through Alba. One per test collection.
/// </summary>
public class VergingHost : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";
    public const string StripeWebhookSecret = "whsec_test_0123456789abcdef";

    public IAlbaHost Host { get; protected set; } = null!;
    public CapturedLogs Logs { get; } = new();
    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The admin token the host is configured with; null runs it with the admin API switched off.</summary>
    protected virtual string? ConfiguredAdminToken => AdminToken;

    protected virtual void Configure(IWebHostBuilder builder) { }

    public virtual async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        ConnectionString = await TestPostgres.CreateDatabaseAsync(GetType().Name);
        Host = await StartHostAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }

    /// <summary>
    /// Starts an instance of the app on this fixture's database with this fixture's settings: the
    /// first one is <see cref="Host"/>; fixtures that need several instances (as in production,
    /// behind a load balancer) start more and dispose them before this one.
    /// </summary>
    protected Task<IAlbaHost> StartHostAsync() => AlbaHost.For<Program>(builder =>
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        builder.UseSetting("VERGING_ADMIN_TOKEN", ConfiguredAdminToken ?? string.Empty);
        builder.UseSetting("Credits:StripeWebhookSecret", StripeWebhookSecret);
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(Logs);
        });
        builder.ConfigureServices(services =>
            services.ConfigureWolverine(o => o.Discovery.IncludeAssembly(typeof(VergingHost).Assembly)));
        Configure(builder);
    });

    /// <summary>
    /// Opens an account through the admin API and returns its id and first key, once Credits has
    /// also opened its ledger (tracked: waits for the AccountOpened message, not for a time).
    /// </summary>
    public async Task<(Guid AccountId, string ApiKey)> CreateAccountAsync(long credits = 0, string? email = null)
    {
        (Guid, string) created = default;
        await Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ => created = await PostAccountAsync(credits, email)));
        return created;
    }

    private async Task<(Guid AccountId, string ApiKey)> PostAccountAsync(long credits, string? email)
    {
        var body = new JsonObject { ["email"] = email ?? $"user-{Guid.NewGuid():N}@example.com" };
        if (credits > 0)
        {
            body["credits"] = credits;
        }

        var result = await Host.Scenario(s =>
        {
            s.Post.Url("/admin/v1/accounts");
            s.JsonBody(body.ToJsonString());
            s.WithRequestHeader("Authorization", $"Bearer {AdminToken}");
            s.StatusCodeShouldBe(201);
        });
        var json = JsonNode.Parse(await result.ReadAsTextAsync())!;
        return (json["account_id"]!.GetValue<Guid>(), json["api_key"]!.GetValue<string>());
    }

    public T Service<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    /// <summary>Sends a command to its handler in the host and returns the answer.</summary>
    public Task<T> InvokeAsync<T>(object command) => Host.MessageBus().InvokeAsync<T>(command);
}

[CollectionDefinition(Name)]
public sealed class SharedHostCollection : ICollectionFixture<VergingHost>
{
    public const string Name = "shared host";
}
