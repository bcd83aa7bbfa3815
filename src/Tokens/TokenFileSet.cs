using System.Collections.Frozen;
using System.Text;
using Microsoft.Extensions.Logging;
using Websockify.Interop;
using Websockify.Targets;

namespace Websockify.Tokens;

/// <summary>
/// The token table of a <c>--token-source</c> that is a file or a directory of files (regular files,
/// symbolic links to them included, not recursive, as upstream's <c>iterdir</c>). Each file is kept
/// with its stat (device, inode, size, modification time): <see cref="Refresh"/> re-reads only files
/// whose stat changed, so checking a directory of a thousand files costs a directory read and a
/// thousand stats, not a thousand reads. Files are merged in name order, a later one winning for a
/// token both have. Everything is bounded; past a bound the refresh fails and the old table stays.
/// </summary>
internal sealed class TokenFileSet(string source, ILogger logger)
{
    public const int MaxFiles = 10_000;
    public const long MaxFileBytes = 16L * 1024 * 1024;
    public const long MaxTotalBytes = 64L * 1024 * 1024;

    /// <summary>Syntax errors shown per file and load; the rest are counted.</summary>
    private const int ShownErrors = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private Dictionary<string, CachedFile> _files = new(StringComparer.Ordinal);
    private string? _lastFailure;

    public string Source => source;

    /// <summary>The current table; replaced whole, never changed in place (lookups read it without a lock).</summary>
    public FrozenDictionary<string, TargetEndpoint> Table { get; private set; } = FrozenDictionary<string, TargetEndpoint>.Empty;

    /// <summary>Reads what changed. Not thread-safe: one caller at a time.</summary>
    /// <param name="force">Re-read every file whatever its stat (SIGHUP).</param>
    /// <returns>Null when the table is current; otherwise why it could not be read (the old table stays).</returns>
    public string? Refresh(bool force = false)
    {
        string? failure;
        try
        {
            failure = TryRefresh(force);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
        }

        if (failure is not null && failure != _lastFailure)
        {
            TokenFilesLog.ReadFailed(logger, source, Table.Count, failure); // once per distinct failure, not once a second
        }

        _lastFailure = failure;
        return failure;
    }

    private string? TryRefresh(bool force)
    {
        if (!LibC.TryGetLinkStatus(LibC.RealPath(source, out var errno) ?? source, out var top, out var statErrno))
        {
            return $"cannot read '{source}': {LibC.Describe(errno != 0 ? errno : statErrno)}";
        }

        List<string> paths;
        if (top.Kind == FileKind.Directory)
        {
            paths = [];
            foreach (var path in Directory.EnumerateFiles(source))
            {
                if (paths.Count == MaxFiles)
                {
                    return $"'{source}' holds more than {MaxFiles} files";
                }

                paths.Add(path);
            }

            paths.Sort(StringComparer.Ordinal);
        }
        else if (top.Kind == FileKind.Regular)
        {
            paths = [source];
        }
        else
        {
            return $"'{source}' is neither a file nor a directory";
        }

        var next = new Dictionary<string, CachedFile>(StringComparer.Ordinal);
        var changed = force;
        long total = 0;
        foreach (var path in paths)
        {
            if (!TryStatFollowing(path, out var real, out var status))
            {
                continue; // a sub-directory, a dangling link, a fifo: not a token file (upstream skips them too)
            }

            total += status.Size;
            if (status.Size > MaxFileBytes || total > MaxTotalBytes)
            {
                return $"'{path}' makes the token files larger than {(status.Size > MaxFileBytes ? MaxFileBytes : MaxTotalBytes) / (1024 * 1024)} MiB";
            }

            var stamp = new FileStamp(status.Device, status.Inode, status.Size, status.ModifiedUnixNanoseconds);
            if (!force && _files.TryGetValue(path, out var cached) && cached.Stamp == stamp)
            {
                next[path] = cached;
                continue;
            }

            next[path] = Read(path, real, stamp);
            changed = true;
        }

        if (changed || next.Count != _files.Count)
        {
            var table = new Dictionary<string, TargetEndpoint>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                if (next.TryGetValue(path, out var file))
                {
                    foreach (var (token, target) in file.Entries)
                    {
                        table[token] = target;
                    }
                }
            }

            _files = next;
            Table = table.ToFrozenDictionary(StringComparer.Ordinal);
            TokenFilesLog.Loaded(logger, source, Table.Count, next.Count);
        }

        return null;
    }

    /// <summary>stat(2) as upstream's <c>is_file()</c> sees it: one lstat for a plain file, realpath only for a symbolic link.</summary>
    private static bool TryStatFollowing(string path, out string real, out FileStatus status)
    {
        real = path;
        if (LibC.TryGetLinkStatus(path, out status, out _) && status.Kind == FileKind.Regular)
        {
            return true;
        }

        return status.Kind == FileKind.Other && LibC.RealPath(path, out _) is { } resolved
            && LibC.TryGetLinkStatus(real = resolved, out status, out _) && status.Kind == FileKind.Regular;
    }

    private CachedFile Read(string path, string real, FileStamp stamp)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(ReadBounded(real, path));
        }
        catch (DecoderFallbackException)
        {
            throw new IOException($"'{path}' is not UTF-8 text");
        }

        var entries = new Dictionary<string, TargetEndpoint>(StringComparer.Ordinal);
        var errors = new List<TokenFileError>();
        TokenFileFormat.Parse(text, entries, errors);
        foreach (var error in errors.Take(ShownErrors))
        {
            TokenFilesLog.SyntaxError(logger, path, error.Line, error.Reason);
        }

        if (errors.Count > ShownErrors)
        {
            TokenFilesLog.MoreErrors(logger, path, errors.Count - ShownErrors);
        }

        return new CachedFile(stamp, entries.ToArray());
    }

    /// <summary>The file's bytes, at most <see cref="MaxFileBytes"/>: it may have grown since it was stat'ed.</summary>
    private static byte[] ReadBounded(string real, string path)
    {
        using var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxFileBytes)
            {
                throw new IOException($"'{path}' is larger than {MaxFileBytes / (1024 * 1024)} MiB");
            }
        }

        return buffer.ToArray();
    }

    private readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long Modified);

    private sealed record CachedFile(FileStamp Stamp, KeyValuePair<string, TargetEndpoint>[] Entries);
}
