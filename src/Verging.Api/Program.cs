using JasperFx;
using Verging.Api.Files;
using Verging.Api.Health;
using Verging.Api.Hosting;
using Verging.Api.Idempotency;

var builder = WebApplication.CreateBuilder(args);

// A CLI command (accounts, codegen, ...) prints its answer on stdout; its logs go to stderr.
var isCommand = args.Length > 0 && !args[0].StartsWith('-');
if (!builder.Environment.IsDevelopment() || isCommand)
{
    // One JSON object per line: structured, and greppable by field.
    builder.Logging.ClearProviders();
    builder.Logging.AddJsonConsole(o => o.IncludeScopes = false);
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o =>
        o.LogToStandardErrorThreshold = isCommand ? LogLevel.Trace : LogLevel.None);
}

builder.AddVergingPlatform()
    .AddVergingErrorHandling()
    .AddVergingOpenApi();
builder.Services.AddVergingHealthChecks();
builder.Services.AddVergingBlobs(builder.Configuration);
builder.Services.AddVergingIdempotency();

var app = builder.Build();

app.UseVergingErrorHandling();
app.UseCaseInsensitiveMediaTypes();
app.UseIdentityContentEncodingOnly();
app.UseCheckedQueryParameters();
app.UseRouting();
app.UseOptionalJsonBodies();
app.UseVergingBodyLimits();
app.UseAuthentication();
app.UseVergingIdempotency();
app.UseAuthorization();

app.MapVergingHealth();
app.MapVergingDocs();
app.MapVergingFiles();
app.MapVergingEndpoints();

return await app.RunJasperFxCommands(args);

/// <summary>Entry point; public so the integration tests can host it.</summary>
public partial class Program;
