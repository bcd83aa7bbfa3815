using Websockify.Targets;

namespace Websockify.Tokens;

/// <summary>What a lookup found. Unknown and invalid tokens get the same answer (no oracle for which
/// tokens exist); the detail goes to the log only, so it must never contain the token itself.</summary>
internal enum TokenOutcome
{
    Found,

    /// <summary>No such token (not in the file, no Redis key, the API said no).</summary>
    Unknown,

    /// <summary>Present but not acceptable: a JWT with a bad signature, expired, <c>alg: none</c>; a target that is not <c>host:port</c>.</summary>
    Invalid,

    /// <summary>The backend could not answer (Redis down, the API timed out): the client may try again later.</summary>
    Unavailable,
}

/// <param name="Target">Set for <see cref="TokenOutcome.Found"/>: TCP or Unix, TLS is added by the resolver for <c>--ssl-target</c>.</param>
/// <param name="Detail">Why, for the log line (never the token, never a secret).</param>
internal readonly record struct TokenLookup(TokenOutcome Outcome, TargetEndpoint? Target, string? Detail)
{
    public static TokenLookup Found(TargetEndpoint target) => new(TokenOutcome.Found, target, null);

    public static TokenLookup Unknown(string? detail = null) => new(TokenOutcome.Unknown, null, detail);

    public static TokenLookup Invalid(string detail) => new(TokenOutcome.Invalid, null, detail);

    public static TokenLookup Unavailable(string detail) => new(TokenOutcome.Unavailable, null, detail);
}
