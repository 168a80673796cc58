using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

// Creates N background-removal jobs through POST /api/v1/background-removal/create-job with C
// concurrent clients, then follows GET /api/v1/jobs?status=completed until all N completed.
// Prints create latency (p50/p99) and jobs/s from the first create to the last completion.
// Usage: Verging.Bench.Jobs <base-url> <api-key> <jobs> <concurrency>
var baseUrl = new Uri(args[0]);
var apiKey = args[1];
var total = int.Parse(args[2], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);

// A 1×1 PNG: the create endpoint types files by their bytes.
var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey);

async Task<long> CompletedAsync() =>
    JsonNode.Parse(await http.GetStringAsync("/api/v1/jobs?status=completed&page_size=1"))!["total"]!.GetValue<long>();

var before = await CompletedAsync();
var latencies = new double[total];
var failures = 0;
var next = -1;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    int i;
    while ((i = Interlocked.Increment(ref next)) < total)
    {
        using var form = new MultipartFormDataContent();
        var image = new ByteArrayContent(png);
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(image, "image", "pixel.png");
        form.Add(new StringContent("pixel.png"), "file_name");
        var started = Stopwatch.GetTimestamp();
        using var response = await http.PostAsync("/api/v1/background-removal/create-job", form);
        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"create failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}));
var created = clock.Elapsed;

long completed = 0;
while (clock.Elapsed < TimeSpan.FromMinutes(10))
{
    completed = await CompletedAsync() - before;
    if (completed >= total - failures)
    {
        break;
    }

    await Task.Delay(50);
}

var done = clock.Elapsed;
Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {total} | {concurrency} | {failures} | {total / created.TotalSeconds:F0} | {Percentile(0.50):F1} | {Percentile(0.99):F1} | {done.TotalSeconds:F2} | {completed / done.TotalSeconds:F0} |"));
