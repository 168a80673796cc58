using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Verging.Jobs.Fetching;

/// <summary>
/// The SSRF guard. Every hop's host is resolved once here and every address checked; the HTTP handler's
/// ConnectCallback then connects only to those checked addresses (it never resolves), so a DNS answer that
/// changes between check and connect (rebinding) cannot redirect the connection. Redirects are followed by hand
/// and checked like the first URL. No proxy is used: HTTP_PROXY would otherwise connect on our behalf unchecked.
/// </summary>
internal sealed class GuardedRemoteMediaFetcher(IOptions<RemoteFetchOptions> options, IHostAddressResolver resolver, IAddressConnector connector)
    : IRemoteMediaFetcher
{
    private const int BufferSize = 81920;

    private RemoteFetchOptions Options => options.Value;

    public async Task CheckAsync(Uri url, CancellationToken cancellation)
    {
        try
        {
            await CheckedAddressesAsync(url, cancellation);
        }
        catch (RemoteFetchFailedException e)
        {
            // Before a job exists, a host that does not resolve is an obviously bad URL (400), not a server fault.
            throw new RemoteFetchRefusedException(e.Message);
        }
    }

    public async Task<FetchedFile> FetchAsync(Uri url, string destinationPath, long maxBytes, CancellationToken cancellation)
    {
        var cap = Math.Min(maxBytes, Options.MaxBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Options.Timeout);
        var pinned = new ConcurrentDictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase);
        using var handler = CreateHandler(pinned);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            var current = url;
            for (var redirects = 0; ; redirects++)
            {
                pinned[PinKey(current)] = await CheckedAddressesAsync(current, timeout.Token);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (redirects >= Options.MaxRedirects)
                    {
                        throw new RemoteFetchFailedException($"target_video_url redirected more than {Options.MaxRedirects} times");
                    }

                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new RemoteFetchFailedException($"target_video_url answered HTTP {(int)response.StatusCode}");
                }

                return await SaveBodyAsync(response, destinationPath, cap, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            File.Delete(destinationPath);
            throw new RemoteFetchFailedException($"target_video_url took longer than {Options.Timeout.TotalSeconds:0.##} s to download");
        }
        catch (OperationCanceledException)
        {
            File.Delete(destinationPath); // the caller gave up: leave no partial download behind
            throw;
        }
        catch (HttpRequestException e)
        {
            File.Delete(destinationPath);
            throw new RemoteFetchFailedException($"target_video_url could not be fetched ({Describe(e)})", e);
        }
        catch (IOException e)
        {
            File.Delete(destinationPath);
            throw new RemoteFetchFailedException("target_video_url could not be fetched (the connection broke)", e);
        }
    }

    private async Task<IPAddress[]> CheckedAddressesAsync(Uri url, CancellationToken cancellation)
    {
        if (AddressPolicy.CheckUrl(url) is { } urlRefusal)
        {
            throw new RemoteFetchRefusedException(urlRefusal);
        }

        IPAddress[] addresses;
        if (AddressPolicy.LiteralAddress(url) is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(url.IdnHost, cancellation);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
            {
                throw new RemoteFetchFailedException("target_video_url: the host name could not be resolved", e);
            }
        }

        if (addresses.Length == 0)
        {
            throw new RemoteFetchFailedException("target_video_url: the host name could not be resolved");
        }

        // All of them: a client may connect to any address of the answer, so one bad address refuses the host.
        foreach (var address in addresses)
        {
            if (AddressPolicy.CheckAddress(address, Options.AllowLoopback) is { } refusal)
            {
                throw new RemoteFetchRefusedException(refusal);
            }
        }

        return addresses;
    }

    private SocketsHttpHandler CreateHandler(ConcurrentDictionary<string, IPAddress[]> pinned) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = Options.Timeout,
        ConnectCallback = async (context, cancellation) =>
        {
            // Defence in depth: a host the guard did not check has no entry, and nothing here resolves names.
            if (!pinned.TryGetValue(PinKey(context.DnsEndPoint.Host, context.DnsEndPoint.Port), out var addresses))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "connection to an unchecked host refused");
            }

            Exception? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    return await connector.ConnectAsync(address, context.DnsEndPoint.Port, cancellation);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    last = e;
                }
            }

            throw new HttpRequestException(HttpRequestError.ConnectionError, "connection failed", last);
        },
    };

    // The handler asks ConnectCallback for (request host, port); brackets of IPv6 literals are dropped on both sides.
    private static string PinKey(Uri url) => PinKey(url.IdnHost, url.Port);

    private static string PinKey(string host, int port) => $"{host.Trim('[', ']')}:{port}";

    private static async Task<FetchedFile> SaveBodyAsync(HttpResponseMessage response, string destinationPath, long cap, CancellationToken cancellation)
    {
        if (response.Content.Headers.ContentLength > cap)
        {
            throw new RemoteFetchFailedException($"target_video_url is larger than the {cap} bytes allowed");
        }

        var total = 0L;
        await using (var body = await response.Content.ReadAsStreamAsync(cancellation))
        await using (var file = new FileStream(destinationPath, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellation)) > 0)
            {
                total += read;
                if (total > cap)
                {
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellation);
            }
        }

        if (total > cap)
        {
            File.Delete(destinationPath);
            throw new RemoteFetchFailedException($"target_video_url is larger than the {cap} bytes allowed");
        }

        return new FetchedFile(destinationPath, total, response.Content.Headers.ContentType?.MediaType);
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection failed",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ResponseEnded => "the server closed the connection",
        _ => "the server's answer was not understood",
    };
}
