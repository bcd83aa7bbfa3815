using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A real local HTTP server (HttpListener on loopback) that answers token lookups as a test scripts them.</summary>
internal sealed class TokenApiServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, HttpListenerResponse, Task> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TokenApiServer(int port, Func<string, HttpListenerResponse, Task> answer)
    {
        Port = port;
        _answer = answer;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = LoopAsync();
    }

    public int Port { get; }

    /// <summary>The raw request targets received, as sent (percent-encoding intact).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <param name="answer">(raw target, response): writes status and body.</param>
    public static TokenApiServer Start(Func<string, HttpListenerResponse, Task> answer) => new(TcpTarget.UnusedPort(), answer);

    public static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Requests.Enqueue(context.Request.RawUrl ?? "");
            _ = Task.Run(async () =>
            {
                try
                {
                    await _answer(context.Request.RawUrl ?? "", context.Response);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // the daemon gave up on a slow answer
                }
            });
        }
    }
}
