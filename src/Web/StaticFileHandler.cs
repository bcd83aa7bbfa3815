using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Http;

namespace Websockify.Web;

/// <summary>
/// The <c>--web</c> server: GET and HEAD of files under the root, directory index, redirect and listing
/// as upstream, and what a careful static server adds (Content-Length, validators and 304, keep-alive,
/// streaming with bounded memory). Status codes: 400 for a target <see cref="WebPath"/> refuses, 404 for
/// what is missing or outside the root, 403 for what is there but unreadable or not a regular file,
/// 405 with <c>Allow: GET, HEAD</c> for other methods; 400 also for an HTTP/1.1 request without exactly
/// one Host field (RFC 9112 §3.2).
/// </summary>
internal sealed class StaticFileHandler(WebRoot root, Limits limits, TimeProvider time, ILogger logger, CancellationToken stopping) : IHttpRequestHandler
{
    private static readonly KeyValuePair<string, string>[] AllowField = [new("Allow", "GET, HEAD")];

    /// <summary>noVNC's settings files: a browser must ask again each time, or a changed setting goes unseen.</summary>
    private static readonly string[] NoCacheNames = ["defaults.json", "mandatory.json"];

    private readonly ConditionalWeakTable<ConnectionContext, StrongBox<int>> _served = new();
    private readonly FileBody _body = new(limits.WebSendStallTimeout, time, stopping);

    public async Task<HttpAnswer> HandleAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        var served = ++_served.GetValue(connection, static _ => new StrongBox<int>()).Value;
        var keepAlive = ConnectionReuse.Allows(request, served);
        var headOnly = request.Method == "HEAD";
        if (request.Method is not ("GET" or "HEAD"))
        {
            return await ErrorAsync(connection, 405, headOnly: false, keepAlive: false, cancellationToken, AllowField).ConfigureAwait(false);
        }

        if (request.Version == "HTTP/1.1" && request.GetAll("Host").Count() != 1)
        {
            WebLog.BadRequest(logger, connection.LogName, "HTTP/1.1 request without exactly one Host field");
            return await ErrorAsync(connection, 400, headOnly, keepAlive: false, cancellationToken).ConfigureAwait(false);
        }

        if (!WebPath.TryParse(request.Target, out var path, out var reason))
        {
            WebLog.BadRequest(logger, connection.LogName, reason);
            return await ErrorAsync(connection, 400, headOnly, keepAlive: false, cancellationToken).ConfigureAwait(false);
        }

        var found = root.Find(path.Relative);
        var name = path.IsRoot ? "" : path.Segments[^1];
        if (found.Kind == WebLookupKind.Directory)
        {
            if (!path.TrailingSlash)
            {
                return await RedirectAsync(connection, path.DirectoryLocation, keepAlive, cancellationToken).ConfigureAwait(false);
            }

            var directory = found.RealPath;
            found = root.FindIndex(directory);
            if (found.Kind == WebLookupKind.NotFound)
            {
                return root.FileOnly
                    ? await ErrorAsync(connection, 404, headOnly, keepAlive, cancellationToken).ConfigureAwait(false)
                    : await ListAsync(connection, path, directory, headOnly, keepAlive, cancellationToken).ConfigureAwait(false);
            }

            name = Path.GetFileName(found.RealPath);
        }
        else if (found is { Kind: WebLookupKind.File, File: { } named } && path.TrailingSlash)
        {
            named.Dispose();
            found = WebLookup.NotFound("a file named as a directory");
        }

        switch (found.Kind)
        {
            case WebLookupKind.File:
                using (found.File)
                {
                    return await SendFileAsync(connection, request, found.File!, path, name, headOnly, keepAlive, cancellationToken).ConfigureAwait(false);
                }

            case WebLookupKind.Forbidden:
                WebLog.Forbidden(logger, connection.LogName, path.Relative, found.Reason);
                return await ErrorAsync(connection, 403, headOnly, keepAlive, cancellationToken).ConfigureAwait(false);
            default:
                if (found.OutsideRoot)
                {
                    WebLog.OutsideRoot(logger, connection.LogName, path.Relative, found.Reason);
                }

                return await ErrorAsync(connection, 404, headOnly, keepAlive, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpAnswer> SendFileAsync(
        ConnectionContext connection, HttpRequest request, OpenedFile file, RequestPath path, string name, bool headOnly, bool keepAlive, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var status = file.Status;
        var entityTag = ConditionalRequest.EntityTag(status.Size, status.ModifiedUnixNanoseconds);
        var lastModified = ConditionalRequest.LastModified(status.ModifiedUnixNanoseconds, now);
        var noCache = NoCacheNames.Contains(name, StringComparer.Ordinal);
        if (ConditionalRequest.IsNotModified(request.Get("If-None-Match"), request.Get("If-Modified-Since"), entityTag, lastModified))
        {
            var notModified = Validators(new ResponseHead(304, now), entityTag, lastModified, noCache);
            await notModified.WriteAsync(connection.Transport, keepAlive, default, cancellationToken).ConfigureAwait(false);
            return new HttpAnswer(304, keepAlive);
        }

        var head = Validators(new ResponseHead(200, now), entityTag, lastModified, noCache)
            .Add("Content-Type", MimeTypes.For(name))
            .Add("X-Content-Type-Options", "nosniff")
            .ContentLength(status.Size);
        if (headOnly)
        {
            await head.WriteAsync(connection.Transport, keepAlive, default, cancellationToken).ConfigureAwait(false);
            return new HttpAnswer(200, keepAlive);
        }

        var (outcome, sent) = await _body.SendAsync(connection.Transport, head.ToBytes(keepAlive), file.Handle, status.Size).ConfigureAwait(false);
        if (outcome == FileBodyOutcome.Complete)
        {
            return new HttpAnswer(200, keepAlive);
        }

        WebLog.TransferCut(logger, connection.LogName, path.Relative, sent, status.Size, outcome switch
        {
            FileBodyOutcome.FileShrank => "the file got shorter while it was sent",
            FileBodyOutcome.ClientStalled => $"the client read nothing for {limits.WebSendStallTimeout.TotalSeconds} s",
            _ => "the connection ended",
        });
        return new HttpAnswer(200, KeepAlive: false);
    }

    private static ResponseHead Validators(ResponseHead head, string entityTag, DateTimeOffset lastModified, bool noCache)
    {
        head.Add("Last-Modified", HttpDate.Format(lastModified)).Add("ETag", entityTag);
        return noCache ? head.Add("Cache-Control", "no-cache") : head;
    }

    private async Task<HttpAnswer> ListAsync(
        ConnectionContext connection, RequestPath path, string directory, bool headOnly, bool keepAlive, CancellationToken cancellationToken)
    {
        byte[] page;
        try
        {
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, ReturnSpecialDirectories = false };
            page = DirectoryListing.Render(
                path.DisplayDirectory,
                new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options).Select(i => new ListingEntry(i.Name, i is DirectoryInfo)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WebLog.ListingFailed(logger, connection.LogName, path.Relative, ex.Message);
            return await ErrorAsync(connection, 403, headOnly, keepAlive, cancellationToken).ConfigureAwait(false);
        }

        var head = new ResponseHead(200, time.GetUtcNow())
            .Add("Content-Type", "text/html; charset=utf-8")
            .Add("X-Content-Type-Options", "nosniff")
            .ContentLength(page.Length);
        await head.WriteAsync(connection.Transport, keepAlive, headOnly ? default : page, cancellationToken).ConfigureAwait(false);
        return new HttpAnswer(200, keepAlive);
    }

    /// <summary>A 301 with an empty body, for GET and HEAD alike.</summary>
    private async Task<HttpAnswer> RedirectAsync(ConnectionContext connection, string location, bool keepAlive, CancellationToken cancellationToken)
    {
        var head = new ResponseHead(301, time.GetUtcNow()).Add("Location", location).ContentLength(0);
        await head.WriteAsync(connection.Transport, keepAlive, default, cancellationToken).ConfigureAwait(false);
        return new HttpAnswer(301, keepAlive);
    }

    private async Task<HttpAnswer> ErrorAsync(
        ConnectionContext connection, int status, bool headOnly, bool keepAlive, CancellationToken cancellationToken, KeyValuePair<string, string>[]? fields = null)
    {
        await ResponseHead.WriteErrorAsync(connection.Transport, status, headOnly, keepAlive, time.GetUtcNow(), fields ?? [], cancellationToken).ConfigureAwait(false);
        return new HttpAnswer(status, keepAlive);
    }
}
