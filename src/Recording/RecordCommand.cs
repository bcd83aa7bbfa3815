using Websockify.Relay;

namespace Websockify.Recording;

/// <summary>What a session hands the writer: open its file, one message (a pooled buffer the writer returns), or finish.</summary>
internal enum RecordCommandKind
{
    Open,
    Message,
    Finish,
}

/// <param name="Data">Rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>; the first <paramref name="Length"/> bytes are the message.</param>
/// <param name="StopReason">For <see cref="RecordCommandKind.Finish"/>: why the recording stopped early, or null at the session's end.</param>
internal readonly record struct RecordCommand(
    SessionRecording Session, RecordCommandKind Kind, PayloadDirection Direction = default, long Milliseconds = 0, byte[]? Data = null, int Length = 0, string? StopReason = null);
