using Wolverine.RDBMS;

namespace Verging.UnitTests.Credits;

/// <summary>
/// The ledger writer (LedgerOutbox) writes Wolverine's inbox and outbox rows itself, with positional values in
/// the order of Wolverine's own column lists. Should an upgrade of Wolverine add, drop or reorder a column, this
/// fails first and names the place to change, instead of every ledger batch that sends a message failing at runtime.
/// </summary>
public sealed class WolverineEnvelopeColumnsTests
{
    [Fact]
    public void The_inbox_columns_are_the_nine_LedgerOutbox_writes_in_its_order() =>
        Columns(DatabaseConstants.IncomingFields).ShouldBe(
            ["body", "id", "status", "owner_id", "execution_time", "attempts", "message_type", "received_at", "keep_until"]);

    [Fact]
    public void The_outbox_columns_are_the_seven_LedgerOutbox_writes_in_its_order() =>
        Columns(DatabaseConstants.OutgoingFields).ShouldBe(
            ["body", "id", "owner_id", "destination", "deliver_by", "attempts", "message_type"]);

    private static string[] Columns(string fields) => [.. fields.Split(',').Select(f => f.Trim())];
}
