using System.Reflection;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Verging.Credits.Ledger;
using Verging.Credits.Transactions;
using Verging.Credits.Writer;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Verging.Credits;

/// <summary>Registration point of the Credits module: the event-sourced ledger and its read models.</summary>
public static class CreditsModule
{
    public const string Schema = "credits";

    public static Assembly Assembly => typeof(CreditsModule).Assembly;

    public static IServiceCollection AddCreditsModule(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<CreditsOptions>(configuration.GetSection("Credits"));
        services.Configure<HoldPolicy>(configuration.GetSection("Credits:Holds"));
        services.Configure<WriterOptions>(configuration.GetSection("Credits:Writer"));

        services.AddSingleton<LedgerWriter>();
        services.AddSingleton<Audit.LedgerAudit>();
        services.AddSingleton<Audit.LedgerRebuild>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerWriter>());

        // A durable message (hold expiry, account opening) that arrives while this instance stops
        // is retried later instead of being dead-lettered: its credits must not stay frozen.
        services.ConfigureWolverine(opts => opts.Policies.OnException<LedgerWriterStoppedException>()
            .ScheduleRetry(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60)));

        services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventTypes([
                typeof(LedgerOpened), typeof(CreditsGranted), typeof(CreditsPurchased), typeof(CreditsFrozen),
                typeof(CreditsSettled), typeof(CreditsReleased), typeof(HoldExpired), typeof(CreditsRefunded), typeof(CreditsAdjusted),
            ]);
            opts.Schema.For<Ledger.Ledger>().DatabaseSchemaName(Schema);
            opts.Schema.For<ReservationRecord>().DatabaseSchemaName(Schema);
            opts.Schema.For<LedgerOperation>().DatabaseSchemaName(Schema);
            opts.Storage.ExtendedSchemaObjects.Add(OpenHoldsTable.Build());
            opts.Storage.ExtendedSchemaObjects.Add(OptimisticBatch.GuardFunction(opts.Events.DatabaseSchemaName));
            // Every history query is one account's, newest first: the account index serves it. No
            // index on the time: each would cost a function call per row on the ledger's hot path.
            opts.Schema.For<LedgerEntry>().DatabaseSchemaName(Schema)
                .Index(x => x.AccountId);
        });

        return services;
    }
}
