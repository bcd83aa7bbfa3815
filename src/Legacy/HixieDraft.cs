namespace Websockify.Legacy;

internal enum HixieDraft
{
    /// <summary>draft-hixie-thewebsocketprotocol-75: no challenge, no closing handshake.</summary>
    Hixie75,

    /// <summary>draft-hixie-thewebsocketprotocol-76 (HyBi-00): the key challenge and the 0xFF 0x00 close.</summary>
    Hixie76,
}
