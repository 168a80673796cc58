using System.Text;
using Npgsql;

namespace Verging.Credits.Writer;

/// <summary>
/// The writer's statements are written with Marten's <c>?</c> placeholders (the rebuild still queues
/// them on a Marten session); sent by the writer itself they need PostgreSQL's <c>$n</c>. None of
/// these statements uses <c>?</c> for anything else (no jsonb <c>?</c> operator).
/// </summary>
internal static class PositionalSql
{
    public static NpgsqlBatchCommand Command(string sql, object[] args)
    {
        var text = new StringBuilder(sql.Length + 8);
        var next = 0;
        foreach (var c in sql)
        {
            if (c == '?')
            {
                text.Append('$').Append(++next);
            }
            else
            {
                text.Append(c);
            }
        }

        if (next != args.Length)
        {
            throw new ArgumentException($"The statement has {next} placeholders for {args.Length} values: {sql}");
        }

        var command = new NpgsqlBatchCommand(text.ToString());
        foreach (var arg in args)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }

        return command;
    }
}
