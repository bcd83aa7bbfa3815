// The telnet protocol (RFC 854) as the wstelnet page needs it: data bytes with IAC commands taken
// out, option negotiation answered, and what the user types escaped on the way out. No DOM and no
// network here, so node tests drive it byte by byte.
//
// Options we agree to: the server may ECHO and suppress go-ahead (SGA); we do SGA, send our
// terminal type (TTYPE, RFC 1091) and window size (NAWS, RFC 1073). Everything else is refused.
// Answers are sent only when an option's state changes (RFC 1143's rule), so two peers can never
// loop on WILL/DO.

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export const ECHO = 1;
export const SGA = 3;
export const TTYPE = 24;
export const NAWS = 31;

const TTYPE_IS = 0;
const TTYPE_SEND = 1;

// A subnegotiation longer than this is not one we asked for: dropped, never buffered without end.
const MAX_SUBNEGOTIATION = 256;

const State = Object.freeze({ DATA: 0, IAC: 1, OPTION: 2, SB: 3, SB_IAC: 4, CR: 5 });

export class Telnet {
    // send(Uint8Array): puts bytes on the wire (negotiation answers, window sizes).
    constructor({ send, terminalType = 'xterm', cols = 80, rows = 24 } = {}) {
        if (typeof send !== 'function') {
            throw new TypeError('Telnet needs a send(bytes) function');
        }
        this._send = send;
        this._terminalType = terminalType;
        this._cols = cols;
        this._rows = rows;
        this._state = State.DATA;
        this._verb = 0;
        this._sb = [];
        this._remote = new Set(); // options the server has agreed to do (WILL we said DO to)
        this._local = new Set(); // options we have agreed to do (DO we said WILL to)
    }

    // Whether the server echoes what we type: if not, the page echoes it locally.
    get remoteEcho() {
        return this._remote.has(ECHO);
    }

    // Bytes from the server in, bytes for the terminal out; answers go out through send().
    receive(bytes) {
        const out = [];
        for (const b of bytes) {
            switch (this._state) {
            case State.DATA:
                if (b === IAC) {
                    this._state = State.IAC;
                } else {
                    out.push(b);
                }
                break;
            case State.IAC:
                if (b === IAC) {
                    out.push(IAC); // an escaped 255 is data
                    this._state = State.DATA;
                } else if (b === WILL || b === WONT || b === DO || b === DONT) {
                    this._verb = b;
                    this._state = State.OPTION;
                } else if (b === SB) {
                    this._sb = [];
                    this._state = State.SB;
                } else {
                    this._state = State.DATA; // NOP, GA, AYT and the rest: nothing to do
                }
                break;
            case State.OPTION:
                this._negotiate(this._verb, b);
                this._state = State.DATA;
                break;
            case State.SB:
                if (b === IAC) {
                    this._state = State.SB_IAC;
                } else if (this._sb.length < MAX_SUBNEGOTIATION) {
                    this._sb.push(b);
                }
                break;
            case State.SB_IAC:
                if (b === SE) {
                    this._subnegotiation(this._sb);
                    this._sb = [];
                    this._state = State.DATA;
                } else {
                    if (b === IAC && this._sb.length < MAX_SUBNEGOTIATION) {
                        this._sb.push(IAC);
                    }
                    this._state = State.SB;
                }
                break;
            }
        }
        return Uint8Array.from(out);
    }

    // What the user typed (a string from the terminal) as bytes for the wire: UTF-8, then escaped.
    encodeInput(text) {
        return this.escape(new TextEncoder().encode(text));
    }

    // Raw bytes for the wire: IAC doubled, and a bare CR sent as CR NUL (RFC 854), which the
    // server's pty turns into a newline. (UTF-8 text never holds a 255; pasted binary may.)
    escape(bytes) {
        const out = [];
        for (let i = 0; i < bytes.length; i++) {
            const b = bytes[i];
            out.push(b);
            if (b === IAC) {
                out.push(IAC);
            } else if (b === 13 && bytes[i + 1] !== 10) {
                out.push(0);
            }
        }
        return Uint8Array.from(out);
    }

    resize(cols, rows) {
        this._cols = cols;
        this._rows = rows;
        if (this._local.has(NAWS)) {
            this._sendWindowSize();
        }
    }

    _negotiate(verb, option) {
        switch (verb) {
        case WILL:
            if (option === ECHO || option === SGA) {
                if (!this._remote.has(option)) {
                    this._remote.add(option);
                    this._send(Uint8Array.of(IAC, DO, option));
                }
            } else {
                this._send(Uint8Array.of(IAC, DONT, option));
            }
            break;
        case WONT:
            if (this._remote.delete(option)) {
                this._send(Uint8Array.of(IAC, DONT, option));
            }
            break;
        case DO:
            if (option === SGA || option === TTYPE || option === NAWS) {
                if (!this._local.has(option)) {
                    this._local.add(option);
                    this._send(Uint8Array.of(IAC, WILL, option));
                }
                if (option === NAWS) {
                    this._sendWindowSize();
                }
            } else {
                this._send(Uint8Array.of(IAC, WONT, option));
            }
            break;
        case DONT:
            if (this._local.delete(option)) {
                this._send(Uint8Array.of(IAC, WONT, option));
            }
            break;
        }
    }

    _subnegotiation(sb) {
        if (sb[0] === TTYPE && sb[1] === TTYPE_SEND && this._local.has(TTYPE)) {
            const name = Array.from(this._terminalType, c => c.charCodeAt(0) & 0x7f);
            this._send(Uint8Array.from([IAC, SB, TTYPE, TTYPE_IS, ...name, IAC, SE]));
        }
    }

    // NAWS: width and height as 16-bit big-endian numbers; a 255 byte in them is doubled like data.
    _sendWindowSize() {
        const body = [this._cols >> 8, this._cols & 0xff, this._rows >> 8, this._rows & 0xff]
            .flatMap(b => (b === IAC ? [IAC, IAC] : [b]));
        this._send(Uint8Array.from([IAC, SB, NAWS, ...body, IAC, SE]));
    }
}
