using Npgsql;
using Verging.AiProxy.Contracts;
using Verging.IntegrationTests.Infrastructure;
using Verging.Jobs.Contracts;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.Tracking;

namespace Verging.IntegrationTests.Usage;

[Collection(SharedHostCollection.Name)]
public sealed class UsageRecordingTests(VergingHost fixture)
{
    [Fact]
    public async Task A_sandbox_chat_request_appears_in_the_usage_query_with_its_tokens_and_credits()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 20);
        Alba.IScenarioResult response = null!;
        var tracked = await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ => response = await fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/ai/chat");
                s.JsonBody("""{"messages":[{"role":"user","content":"Count my usage, please."}]}""");
                s.WithApiKey(key);
                s.StatusCodeShouldBe(200);
            })));
        tracked.Executed.SingleMessage<AiRequestCompleted>().ServiceType.ShouldBe("chat");
        var chat = await response.Json();

        var page = await fixture.GetJsonAsync(key, "/api/v1/ai/usage");
        page["total"]!.GetValue<long>().ShouldBe(1);
        page["page"]!.GetValue<int>().ShouldBe(1);
        page["page_size"]!.GetValue<int>().ShouldBe(20);
        var record = page["records"]!.AsArray().Single()!.AsObject();
        record.Select(p => p.Key).ToArray().ShouldBe(
            ["id", "service_type", "credits_consumed", "input_tokens", "output_tokens", "latency_ms", "status", "created_at"]);
        record["id"]!.GetValue<long>().ShouldBeGreaterThan(0);
        record["service_type"]!.GetValue<string>().ShouldBe("chat");
        record["status"]!.GetValue<string>().ShouldBe("success");
        record["credits_consumed"]!.GetValue<long>().ShouldBe(chat["credits_consumed"]!.GetValue<long>());
        record["input_tokens"]!.GetValue<long>().ShouldBe(chat["usage"]!["prompt_tokens"]!.GetValue<long>());
        record["output_tokens"]!.GetValue<long>().ShouldBe(chat["usage"]!["completion_tokens"]!.GetValue<long>());
        record["latency_ms"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);
        record["created_at"]!.GetValue<DateTimeOffset>().ShouldBe(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_refused_request_appears_with_its_status_and_zero_credits()
    {
        var (_, key) = await fixture.CreateAccountAsync(credits: 2);
        await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(_ => fixture.Host.Scenario(s =>
            {
                s.Post.Url("/api/v1/ai/chat");
                s.JsonBody("""{"messages":[{"role":"user","content":"Too poor to chat."}]}""");
                s.WithApiKey(key);
                s.StatusCodeShouldBe(402);
            })));

        var record = (await fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["records"]!.AsArray().Single()!;
        record["status"]!.GetValue<string>().ShouldBe("insufficient_credits");
        record["credits_consumed"]!.GetValue<long>().ShouldBe(0);
        record["input_tokens"]!.GetValue<long>().ShouldBe(0);
        record["output_tokens"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public async Task A_redelivered_contract_never_makes_a_second_record()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var completed = UsageKit.Completed(account, Guid.NewGuid(), "tts", UsageKit.Base);
        var failed = UsageKit.Failed(account, Guid.NewGuid(), "stt", UsageKit.Base.AddSeconds(1));
        var job = UsageKit.JobEnded(account, Guid.NewGuid(), UsageKit.Base.AddSeconds(2));

        await fixture.PublishAsync(completed, failed, job);
        var first = (await fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["records"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()).ToArray();

        // Delivered again (a retry after a crash, or a publisher's redelivery): each is handled, none is recorded twice.
        var again = await fixture.PublishAsync(completed, failed, job, completed);
        again.Executed.MessagesOf<AiRequestCompleted>().Count().ShouldBe(2);
        again.Executed.MessagesOf<JobAttemptEnded>().Count().ShouldBe(1);

        (await fixture.CountRecordsAsync(completed.RequestId)).ShouldBe(1);
        (await fixture.CountRecordsAsync(failed.RequestId)).ShouldBe(1);
        (await fixture.CountRecordsAsync(job.JobId)).ShouldBe(1);
        var page = await fixture.GetJsonAsync(key, "/api/v1/ai/usage");
        page["total"]!.GetValue<long>().ShouldBe(2);
        page["records"]!.AsArray().Select(r => r!["id"]!.GetValue<long>()).ToArray().ShouldBe(first, "the ids stay those of the first delivery");
    }

    [Fact]
    public async Task Appends_committed_together_still_record_each_source_once()
    {
        // 40 distinct sources and one source delivered 20 times, all at once: the log commits them in
        // shared transactions, and a duplicate inside one batch still records nothing.
        var (account, key) = await fixture.CreateAccountAsync();
        var log = fixture.Service<Verging.Usage.Recording.UsageLog>();
        var repeated = UsageKit.Completed(account, Guid.NewGuid(), "chat", UsageKit.Base);
        var distinct = Enumerable.Range(0, 40).Select(i => UsageKit.Completed(account, Guid.NewGuid(), "tts", UsageKit.Base.AddSeconds(i))).ToList();

        var appended = await Task.WhenAll(
            distinct.Concat(Enumerable.Repeat(repeated, 20)).Select(e =>
                Task.Run(() => log.AppendAsync(Verging.Usage.Recording.UsageProjection.Received(e), delivery: null, CancellationToken.None))));

        appended.Count(recorded => recorded).ShouldBe(41);
        (await fixture.CountRecordsAsync(repeated.RequestId)).ShouldBe(1);
        (await fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["total"]!.GetValue<long>().ShouldBe(41);
    }

    [Fact]
    public async Task Each_attempt_of_a_job_is_its_own_record_and_a_repeated_attempt_is_not()
    {
        var (account, key) = await fixture.CreateAccountAsync();
        var failedFirst = UsageKit.JobEnded(account, Guid.NewGuid(), UsageKit.Base, attempt: 1, credits: 0, status: "failed");
        var retried = failedFirst with { Attempt = 2, Status = "completed", CreditsConsumed = 6, FinishedAt = UsageKit.Base.AddMinutes(1) };
        await fixture.PublishAsync(failedFirst, retried, retried);

        (await fixture.CountRecordsAsync(failedFirst.JobId)).ShouldBe(2);
        var summary = await fixture.GetJsonAsync(key,
            $"/api/v1/usage/summary?from={UsageKit.Q(UsageKit.Base.AddDays(-1))}&to={UsageKit.Q(UsageKit.Base.AddDays(1))}&group_by=service");
        var faceSwap = summary["groups"]!.AsArray().Single()!;
        faceSwap["key"]!.GetValue<string>().ShouldBe(JobTypes.FaceSwap);
        faceSwap["job_attempts"]!.GetValue<long>().ShouldBe(2);
        faceSwap["succeeded"]!.GetValue<long>().ShouldBe(1);
        faceSwap["failed"]!.GetValue<long>().ShouldBe(1);
        faceSwap["credits_consumed"]!.GetValue<long>().ShouldBe(6);

        // Jobs are not AI proxy requests: the reference's usage query does not list them.
        (await fixture.GetJsonAsync(key, "/api/v1/ai/usage"))["total"]!.GetValue<long>().ShouldBe(0);
    }

    [Fact]
    public void The_contracts_reach_usage_through_durable_parallel_queues_so_a_crash_loses_no_usage()
    {
        var bus = fixture.Host.MessageBus();
        var endpoints = fixture.Host.GetRuntime().Options.Transports.AllEndpoints();
        var account = Guid.NewGuid();
        object[] contracts = [UsageKit.Completed(account, account, "chat", UsageKit.Base), UsageKit.Failed(account, account, "chat", UsageKit.Base),
            UsageKit.JobEnded(account, account, UsageKit.Base)];
        foreach (var contract in contracts)
        {
            var routes = bus.PreviewSubscriptions(contract);
            routes.ShouldNotBeEmpty($"{contract.GetType().Name} has a listener");
            foreach (var route in routes)
            {
                var endpoint = endpoints.Single(e => e.Uri == route.Destination);
                endpoint.Mode.ShouldBe(Wolverine.Configuration.EndpointMode.Durable, $"{contract.GetType().Name} is stored before it is handled");
                endpoint.MaxDegreeOfParallelism.ShouldBe(Verging.Usage.UsageModule.RecordingParallelism);
            }
        }
    }

    [Fact]
    public async Task A_recorded_contract_leaves_the_inbox_in_the_transaction_that_records_it()
    {
        var (account, _) = await fixture.CreateAccountAsync();
        var completed = UsageKit.Completed(account, Guid.NewGuid(), "tts", UsageKit.Base);
        ITrackedSession tracked = null!;

        var statements = await NpgsqlStatements.DuringAsync(fixture.ConnectionString, async () => tracked = await fixture.PublishAsync(completed));

        // One batch records it and deletes its inbox row; the envelope says it is handled, which is
        // what tells Wolverine not to commit a mark of its own.
        var delivery = tracked.Executed.Envelopes().Single(e => e.Message is AiRequestCompleted);
        delivery.Status.ShouldBe(EnvelopeStatus.Handled);
        statements.Count(s => s.Contains("usage.received_events") && s.Contains("delete from wolverine.wolverine_incoming_envelopes")).ShouldBe(1);
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand($"select count(*) from {InboxTable()} where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = delivery.Id });
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0);
        (await fixture.CountRecordsAsync(completed.RequestId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_contract_whose_record_fails_stays_in_the_inbox()
    {
        // The usage log's transaction is the only place its inbox row goes: when the record cannot
        // be written, the envelope stays for Wolverine to retry or to move to its dead letters.
        var (account, _) = await fixture.CreateAccountAsync();
        var broken = UsageKit.Completed(account, Guid.NewGuid(), "chat", UsageKit.Base, model: "gpt\0"); // PostgreSQL stores no NUL

        var tracked = await fixture.Host.TrackActivity().Timeout(TimeSpan.FromSeconds(60)).DoNotAssertOnExceptionsDetected()
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(context => context.PublishAsync(broken).AsTask()));

        var delivery = tracked.AllRecordsInOrder().Select(r => r.Envelope).OfType<Envelope>().First(e => e.Message is AiRequestCompleted);
        delivery.Status.ShouldNotBe(EnvelopeStatus.Handled);
        (await fixture.CountRecordsAsync(broken.RequestId)).ShouldBe(0);
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand(
            $"select count(*) from {InboxTable()} where id = $1 union all select count(*) from {DeadLettersTable()} where id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = delivery.Id });
        await using var reader = await command.ExecuteReaderAsync();
        var kept = 0L;
        while (await reader.ReadAsync())
        {
            kept += reader.GetInt64(0);
        }

        kept.ShouldBe(1, "the envelope is still in the inbox or in the dead letters, never simply gone");
    }

    [Fact]
    public async Task The_log_and_the_record_are_written_together()
    {
        var (account, _) = await fixture.CreateAccountAsync();
        var completed = UsageKit.Completed(account, Guid.NewGuid(), "vision", UsageKit.Base);
        await fixture.PublishAsync(completed);

        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand(
            "select e.id = r.id, e.event_type, e.payload->>'requestId' from usage.received_events e join usage.records r using (source_id, attempt) where source_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = completed.RequestId });
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetBoolean(0).ShouldBeTrue("the record's id is its log row's id");
        reader.GetString(1).ShouldBe("ai_request_completed");
        reader.GetString(2).ShouldBe(completed.RequestId.ToString());
    }

    private string InboxTable() => MessageStore().IncomingFullName;

    private string DeadLettersTable() => MessageStore().SchemaName + "." + Wolverine.RDBMS.DatabaseConstants.DeadLetterTable;

    private Wolverine.RDBMS.MessageDatabase<NpgsqlConnection> MessageStore() =>
        (Wolverine.RDBMS.MessageDatabase<NpgsqlConnection>)fixture.Host.GetRuntime().Storage;
}
