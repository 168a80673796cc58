using Npgsql;
using Testcontainers.PostgreSql;

namespace Verging.IntegrationTests.Infrastructure;

/// <summary>
/// Where the tests' PostgreSQL comes from: <c>VERGING_TEST_PG</c> when set (./test.sh starts a
/// throwaway cluster and sets it), otherwise a Testcontainers PostgreSQL when a Docker engine
/// answers, otherwise a clear failure. Each fixture gets a database of its own on that server, so
/// test collections run in parallel without sharing data.
/// </summary>
public static class TestPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _server;
    private static PostgreSqlContainer? _container;

    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var server = await ServerAsync();
        var name = $"verging_{purpose}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database!;
        NpgsqlConnection.ClearAllPools();
        builder.Database = "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> ServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is not null)
            {
                return _server;
            }

            var fromEnvironment = Environment.GetEnvironmentVariable("VERGING_TEST_PG");
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return _server = fromEnvironment;
            }

            try
            {
                _container = new PostgreSqlBuilder("postgres:17-alpine").Build();
                await _container.StartAsync();
                return _server = _container.GetConnectionString();
            }
            catch (Exception e) when (e.GetType().Name.Contains("Docker", StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    "No PostgreSQL for the integration tests: run ./test.sh (it starts one), or set VERGING_TEST_PG " +
                    "to a connection string of a server where the tests may create databases, or start a Docker engine.", e);
            }
        }
        finally
        {
            Gate.Release();
        }
    }
}
