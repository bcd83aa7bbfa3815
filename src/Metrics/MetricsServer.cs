using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Net;

namespace Websockify.Metrics;

/// <summary>
/// <c>--metrics HOST:PORT</c>: a listener of its own, never the WebSocket port. <c>GET /metrics</c> is the
/// Prometheus text; <c>GET /healthz</c> is 200 while accepting and 503 once draining, for balancers'
/// health checks. One request per connection, read by our strict parser under a short deadline, and a
/// bounded number of scrapes at once: a stuck scraper cannot pile up connections.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    public const int MaxConcurrent = 16;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Sent with every answer: a cache between the scraper and us must not hand out old numbers.</summary>
    private static readonly KeyValuePair<string, string>[] NoStore = [new("Cache-Control", "no-store")];

    private readonly Socket _listener;
    private readonly PrometheusExporter _exporter;
    private readonly Func<bool> _draining;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrent, MaxConcurrent);
    private Task _accepting = Task.CompletedTask;

    public MetricsServer(Socket listener, PrometheusExporter exporter, Func<bool> draining, TimeProvider time, ILogger logger)
    {
        _time = time;
        _listener = listener;
        _exporter = exporter;
        _draining = draining;
        _logger = logger;
    }

    public string Address => EndpointText.Format(_listener.LocalEndPoint);

    public void Start() => _accepting = AcceptLoopAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100).ConfigureAwait(false); // EMFILE: back off, the data path matters more
                continue;
            }

            if (!_slots.Wait(0))
            {
                client.Dispose(); // MaxConcurrent scrapes under way: this one is closed, not queued
                continue;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var peer = EndpointText.Format(client.RemoteEndPoint);
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            using var deadline = new Deadline(RequestTimeout, _time, _stop.Token);
            var (status, contentType, body, method, target) = await AnswerAsync(stream, deadline.Token).ConfigureAwait(false);
            MetricsLog.Request(_logger, peer, method, target, status);
            await HttpResponseWriter.WriteClosingAsync(stream, status, NoStore, contentType, body, withBody: method != "HEAD", deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            MetricsLog.RequestFailed(_logger, peer, ex.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<(int Status, string ContentType, byte[] Body, string Method, string Target)> AnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        ReceivedRequest? received;
        try
        {
            received = await HttpRequestReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestRejectedException ex)
        {
            return Text(ex.Rejection.Status, ex.Message, "-", "-");
        }

        if (received is null)
        {
            throw new IOException("closed before a request");
        }

        var request = received.Request;
        var (method, target) = (request.Method, request.Target);
        if (method is not ("GET" or "HEAD"))
        {
            return Text(405, "only GET and HEAD", method, target);
        }

        return request.Path switch
        {
            "/metrics" => (200, PrometheusExporter.ContentType, Encoding.UTF8.GetBytes(_exporter.Scrape()), method, target),
            "/healthz" => _draining() ? Text(503, "draining", method, target) : Text(200, "ok", method, target),
            _ => Text(404, "/metrics or /healthz", method, target),
        };
    }

    private static (int, string, byte[], string, string) Text(int status, string text, string method, string target) =>
        (status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text + "\n"), method, target);
}
