using Npgsql;
using Verging.Credits.Audit;
using Verging.Credits.Contracts;
using Verging.Credits.Writer;
using Verging.IntegrationTests.Infrastructure;

namespace Verging.IntegrationTests.Credits;

/// <summary>Open holds live in rows of their own, not in the balance document (ADR 0016).</summary>
[Collection(SharedHostCollection.Name)]
public sealed class OpenHoldRowsTests(VergingHost fixture)
{
    [Fact]
    public async Task The_balance_document_stays_small_however_many_holds_are_open()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 1_000);
        var reservations = Enumerable.Range(0, 200).Select(_ => Guid.CreateVersion7()).ToList();
        await Task.WhenAll(reservations.Select(r => fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, r, 3, "faceswap"))));

        (await DocumentBytesAsync(account)).ShouldBeLessThan(300);
        (await HoldRowsAsync(account)).ShouldBe(200);
        var ledger = await LedgerStreams.DocumentAsync(fixture.Service<Marten.IDocumentStore>(), account);
        (ledger.Frozen, ledger.Holds.Count).ShouldBe((600, 200));

        // Ending holds removes their rows in the same transaction, including holds opened and
        // ended in one writer batch.
        await Task.WhenAll(reservations.Take(150).Select(r => fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, r, 1))));
        await Task.WhenAll(reservations.Skip(150).Select(r => fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, r, "test"))));
        (await HoldRowsAsync(account)).ShouldBe(0);
        await LedgerInvariants.ShouldMatchReplayAsync(fixture.Service<Marten.IDocumentStore>(), account);
        (await fixture.Service<LedgerAudit>().RunAsync(account, CancellationToken.None)).Mismatches.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_hold_whose_row_is_missing_is_still_settled_once_and_its_rows_are_rewritten_from_the_stream()
    {
        // As in a database written before holds had rows: the balance document says 12 frozen, no row says why.
        var (account, _) = await fixture.CreateAccountAsync(credits: 50);
        var first = Guid.CreateVersion7();
        var second = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, first, 5, "vision"));
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, second, 7, "vision"));
        await ExecuteAsync("delete from credits.open_holds where account_id = $1", account);
        var audit = fixture.Service<LedgerAudit>();
        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.Single().Problems
            .ShouldContain(p => p.Contains("0 open-hold rows differ from the 2 open holds of the replay"));

        fixture.Service<LedgerWriter>().ForgetCachedState();
        var settled = await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, first, 2));

        (settled.End, settled.Consumed, settled.Released).ShouldBe((ReservationEnd.Settled, 2, 3));
        (await HoldRowsAsync(account)).ShouldBe(1);
        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.ShouldBeEmpty();
        var released = await fixture.InvokeAsync<ReservationOutcome>(new ReleaseCredits(account, second, "test"));
        released.End.ShouldBe(ReservationEnd.Released);
        await LedgerInvariants.ShouldMatchReplayAsync(fixture.Service<Marten.IDocumentStore>(), account);
    }

    [Fact]
    public async Task The_audit_finds_an_invented_hold_row_and_a_rebuild_removes_it()
    {
        var (account, _) = await fixture.CreateAccountAsync(credits: 20);
        var reservation = Guid.CreateVersion7();
        await fixture.InvokeAsync<FreezeOutcome>(new FreezeCredits(account, reservation, 4, "chat"));
        await ExecuteAsync(
            "insert into credits.open_holds (account_id, reservation_id, amount, purpose, expires_at) values ($1, gen_random_uuid(), 9, 'chat', now())", account);

        var audit = fixture.Service<LedgerAudit>();
        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.Single().Problems
            .ShouldContain(p => p.Contains("2 open-hold rows differ from the 1 open holds of the replay"));
        await fixture.Service<LedgerRebuild>().RunAsync(CancellationToken.None);

        (await audit.RunAsync(account, CancellationToken.None)).Mismatches.ShouldBeEmpty();
        (await HoldRowsAsync(account)).ShouldBe(1);
        (await fixture.InvokeAsync<ReservationOutcome>(new SettleCredits(account, reservation, 4))).Consumed.ShouldBe(4);
    }

    private async Task<int> DocumentBytesAsync(Guid account)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand("select octet_length(data::text) from credits.mt_doc_ledger where id = $1");
        command.Parameters.Add(new() { Value = account });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> HoldRowsAsync(Guid account)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand("select count(*) from credits.open_holds where account_id = $1");
        command.Parameters.Add(new() { Value = account });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, Guid account)
    {
        await using var command = fixture.Service<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.Add(new() { Value = account });
        await command.ExecuteNonQueryAsync();
    }
}
