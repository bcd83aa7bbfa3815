using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Websockify.Logging;

namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>TokenRedis</c>: the target of a token is the string value of the key
/// <c>namespace + token</c> (see <see cref="TokenRedisValue"/>). Upstream opens a new client for every
/// lookup; here one multiplexer is shared by all connections. It connects in the background from
/// start-up, so a Redis that is down does not stop the daemon: lookups answer
/// <see cref="TokenOutcome.Unavailable"/> (503) at once until it is reachable, and it reconnects by itself.
/// Every Redis call is bounded by <see cref="Timeout"/>, well under the handshake timeout.
/// </summary>
internal sealed class TokenRedis : ITokenSource, IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>Redis error texts are short; a longer one is cut for the log.</summary>
    private const int MaxReasonChars = 200;

    private readonly TokenRedisSource source;
    private readonly ILogger logger;
    private readonly Task<ConnectionMultiplexer> connecting;
    private readonly Lock state = new();
    private bool up;
    private bool reported;
    private int disposed;

    private TokenRedis(TokenRedisSource source, TokenSourceContext context)
    {
        this.source = source;
        logger = context.Logger;
        TokenRedisLog.Opened(logger, source.ToString());
        var options = Options(source);
        // Off the start-up path: the first attempt may take the whole connect timeout.
        connecting = Task.Run(() => ConnectAsync(options));
    }

    public static TokenRedis Open(TokenRedisSource source, TokenSourceContext context) => new(source, context);

    /// <summary>What the multiplexer is told; public for the tests.</summary>
    public static ConfigurationOptions Options(TokenRedisSource source)
    {
        var milliseconds = (int)Timeout.TotalMilliseconds;
        return new ConfigurationOptions
        {
            EndPoints = { { source.Host, source.Port } },
            DefaultDatabase = source.Database,
            Password = source.Password,
            ClientName = "websockify",
            AbortOnConnectFail = false, // start (and stay up) without Redis
            BacklogPolicy = BacklogPolicy.FailFast, // no queue while disconnected: 503 now, not after a timeout
            ConnectTimeout = milliseconds,
            SyncTimeout = milliseconds,
            AsyncTimeout = milliseconds,
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(1000),
            // Only GETRANGE and EXISTS are sent: no tie-breaker key, no pub/sub connection for config changes.
            TieBreaker = "",
            ConfigurationChannel = "",
            // Exception texts would otherwise name the key, and the key holds the token.
            IncludeDetailInExceptions = false,
            IncludePerformanceCountersInExceptions = false,
        };
    }

    public async ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken)
    {
        ConnectionMultiplexer redis;
        try
        {
            // Only the first lookups wait here, at most the connect timeout.
            redis = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TokenLookup.Unavailable("the Redis client could not start: " + Reason(ex, token));
        }

        var database = redis.GetDatabase();
        var key = (RedisKey)(source.Namespace + token);
        try
        {
            // GETRANGE, not GET: a value is never read past the bound, whatever the key holds.
            var value = (byte[]?)await database.StringGetRangeAsync(key, 0, TokenRedisValue.MaxBytes).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (value is { Length: > 0 })
            {
                return TokenRedisValue.Parse(value);
            }

            // GETRANGE gives "" for a missing key and for an empty value: only then ask which.
            return await database.KeyExistsAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false)
                ? TokenLookup.Invalid("the value is empty")
                : TokenLookup.Unknown();
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            return TokenLookup.Invalid("the key does not hold a string");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return TokenLookup.Unavailable(Reason(ex, token));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        // Still connecting at exit: close it when the attempt ends (within the connect timeout).
        _ = connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                // The outer message repeats the failure type and adds the library's version; the inner one is the socket's.
                Failed($"{e.FailureType}" + (e.Exception?.InnerException is { } inner ? ": " + Reason(inner, null) : ""));
            }
        };
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Restored();
            }
        };

        if (redis.IsConnected)
        {
            Restored();
        }
        else
        {
            Failed("the first attempt to connect failed (refused, unreachable, timed out, or the password was not accepted)");
        }

        return redis;
    }

    /// <summary>Logged on the change only: the failed reconnects that follow (about one a second) raise no event,
    /// and each refused lookup is logged by the resolver.</summary>
    private void Failed(string reason)
    {
        lock (state)
        {
            if (up || !reported)
            {
                up = false;
                reported = true;
                TokenRedisLog.Down(logger, source.ToString(), reason);
            }
        }
    }

    private void Restored()
    {
        lock (state)
        {
            if (!up)
            {
                up = true;
                reported = true;
                TokenRedisLog.Up(logger, source.ToString());
            }
        }
    }

    /// <summary>An exception's text for the log: one line, bounded, without the password or the token.</summary>
    private string Reason(Exception ex, string? token)
    {
        var text = ex.Message;
        if (source.Password is { } password)
        {
            text = text.Replace(password, "<password>", StringComparison.Ordinal);
        }

        if (token is not null)
        {
            text = text.Replace(token, "<token>", StringComparison.Ordinal);
        }

        text = ex is TimeoutException ? $"no answer within {Timeout.TotalSeconds:0} s" : text;
        return LogEscaper.Escape(text.Length > MaxReasonChars ? text[..MaxReasonChars] + "..." : text);
    }
}
