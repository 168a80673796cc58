using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

// Creates background-removal jobs through POST /api/v1/background-removal/create-job with C
// concurrent clients and waits until none is waiting or running; first a warm-up round (not
// reported), then the measured round. Prints create latency (p50/p99) and jobs/s from the first
// create to the last completion of the measured round.
// Usage: Verging.Bench.Jobs <base-url> <api-key> <jobs> <concurrency> [warm-up jobs=8000]
//
// The warm-up runs in this process so that neither process is still compiling when the measured
// round starts: the service's tiered JIT was still promoting ~3,600 methods to tier 1 during a round
// that followed 3,000 warm-up jobs (a quarter of the machine in a perf profile), ~400 after 8,000;
// and a fresh client process compiles its own code too.
var baseUrl = new Uri(args[0]);
var apiKey = args[1];
var total = int.Parse(args[2], CultureInfo.InvariantCulture);
var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
var warmUp = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 8000;

// A 1×1 PNG: the create endpoint types files by their bytes.
var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", apiKey);

async Task<long> CountAsync(string status) =>
    JsonNode.Parse(await http.GetStringAsync($"/api/v1/jobs?status={status}&page_size=1"))!["total"]!.GetValue<long>();

if (warmUp > 0)
{
    await RoundAsync(warmUp);
}

var completedBefore = await CountAsync("completed");
var (createSeconds, doneSeconds, latencies, failures) = await RoundAsync(total);
var completed = await CountAsync("completed") - completedBefore;
if (completed != total - failures)
{
    Console.Error.WriteLine($"{total - failures} jobs created, {completed} completed");
}

Array.Sort(latencies);
double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {total} | {concurrency} | {failures} | {total / createSeconds:F0} | {Percentile(0.50):F1} | {Percentile(0.99):F1} | {doneSeconds:F2} | {completed / doneSeconds:F0} |"));

async Task<(double CreateSeconds, double DoneSeconds, double[] Latencies, int Failures)> RoundAsync(int jobs)
{
    var latencies = new double[jobs];
    var failures = 0;
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < jobs)
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

    // Done when nothing waits or runs: counting these stays cheap however many jobs have completed
    // (counting the completed ones on every poll cost the database more as the runs went on).
    while (clock.Elapsed < TimeSpan.FromMinutes(10) && await CountAsync("pending") + await CountAsync("processing") > 0)
    {
        await Task.Delay(20);
    }

    return (created.TotalSeconds, clock.Elapsed.TotalSeconds, latencies, failures);
}
