// Websock: byte queues over a WebSocket (or any channel with the same shape, e.g. an RTCDataChannel)
// for websockify clients such as noVNC. The API follows the names of noVNC's core/websock.js.
//
// Receive side: every message is appended to one Uint8Array; the reader consumes it with rQshift*
// at a read index, so a protocol parser can wait (rQwait) until a whole structure has arrived no
// matter how the bytes were split into frames. Send side: sQpush* fill a buffer, flush() sends it
// as one message.
//
// Modes: 'binary' (binary frames, the default) or 'base64' (text frames of base64 each way), chosen
// from the subprotocol the server negotiated. Works in browsers and in node >= 20
// (`node --experimental-websocket` for the global WebSocket). No imports, no Buffer.

// The receive queue starts here and grows (doubling, after compacting) up to the maximum.
const INITIAL_RECEIVE_QUEUE = 4 * 1024 * 1024;
// Default upper bound of the receive queue: a peer that sends faster than we read, or one huge
// message, ends in an 'error' event and a close rather than unbounded memory.
const DEFAULT_MAX_RECEIVE_QUEUE = 40 * 1024 * 1024;
// Send buffer: pushes beyond it flush first, so big byte arrays go out in messages of this size.
const SEND_QUEUE_SIZE = 10 * 1024;
// String.fromCharCode.apply takes its arguments on the stack: convert in chunks of this many bytes.
const STRING_CHUNK = 4096;
// The close code for "message too big"; the browser WebSocket API refuses it (only 1000 and
// 3000-4999 are allowed), so close() falls back to a plain close there.
const CLOSE_TOO_BIG = 1009;

// Latin1 string of a byte range, in chunks so large strings do not overflow the call stack.
function bytesToLatin1(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += STRING_CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(i + STRING_CHUNK, bytes.length)));
  }
  return s;
}

// atob/btoa exist in browsers and in node >= 16, and work on latin1 strings.
function base64ToBytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes) {
  return btoa(bytesToLatin1(bytes));
}

const NUMERIC_STATES = ['connecting', 'open', 'closing', 'closed'];
const STRING_STATES = new Set(NUMERIC_STATES);
const EVENTS = ['open', 'message', 'close', 'error'];

export default class Websock {
  // options.maxReceiveQueue: the receive queue's upper bound in bytes (default 40 MiB).
  constructor({ maxReceiveQueue = DEFAULT_MAX_RECEIVE_QUEUE } = {}) {
    if (!Number.isInteger(maxReceiveQueue) || maxReceiveQueue < 1) {
      throw new RangeError(`maxReceiveQueue must be a positive integer, not ${maxReceiveQueue}`);
    }
    this._maxRQ = maxReceiveQueue;
    this._channel = null;
    this._mode = 'binary';
    this._handlers = {};
    this._waiters = new Set(); // pending rQwaitAsync promises
    for (const evt of EVENTS) this._handlers[evt] = () => {};
    this._allocate();
  }

  static get DEFAULT_MAX_RECEIVE_QUEUE() { return DEFAULT_MAX_RECEIVE_QUEUE; }
  static get SEND_QUEUE_SIZE() { return SEND_QUEUE_SIZE; }

  _allocate() {
    // _rQ[_rQi .. _rQend) are the unread bytes; _rQi can be rewound (rQwait goback) down to 0.
    this._rQ = new Uint8Array(Math.min(INITIAL_RECEIVE_QUEUE, this._maxRQ));
    this._rQi = 0;
    this._rQend = 0;
    this._sQ = new Uint8Array(SEND_QUEUE_SIZE);
    this._sQlen = 0;
  }

  // ---- state ----

  get readyState() {
    const ch = this._channel;
    if (!ch) return 'unused';
    const s = ch.readyState;
    // WebSocket: 0..3; RTCDataChannel (and similar): the state's name.
    if (typeof s === 'number') return NUMERIC_STATES[s] ?? 'unknown';
    return STRING_STATES.has(s) ? s : 'unknown';
  }

  // The subprotocol the server chose ('' when none or not connected).
  get protocol() {
    return (this._channel && this._channel.protocol) || '';
  }

  // 'binary' or 'base64'.
  get mode() { return this._mode; }

  // ---- events ----

  on(evt, handler) {
    if (!EVENTS.includes(evt)) throw new Error(`unknown event ${evt}`);
    this._handlers[evt] = handler;
  }

  off(evt) {
    if (!EVENTS.includes(evt)) throw new Error(`unknown event ${evt}`);
    this._handlers[evt] = () => {};
  }

  // ---- connection ----

  // Empty queues, forget the channel (its handlers are detached so it cannot write to us any more).
  init() {
    this._detach();
    this._allocate();
    this._mode = 'binary';
    this._rejectWaiters(new Error('Websock re-initialised'));
  }

  open(uri, protocols) {
    this.attach(new WebSocket(uri, protocols));
  }

  attach(channel) {
    for (const fn of ['send', 'close']) {
      if (!channel || typeof channel[fn] !== 'function') throw new TypeError(`channel has no ${fn}() method`);
    }
    for (const prop of ['binaryType', 'protocol', 'readyState']) {
      if (!(prop in channel)) throw new TypeError(`channel has no ${prop} property`);
    }
    this.init();
    this._channel = channel;
    channel.binaryType = 'arraybuffer';
    this._updateMode();
    channel.onopen = () => {
      this._updateMode();
      this._handlers.open();
    };
    channel.onmessage = (e) => this._receive(e.data);
    channel.onclose = (e) => {
      this._rejectWaiters(new Error(`connection closed${e && e.code ? ` (code ${e.code})` : ''}`));
      this._handlers.close(e);
    };
    channel.onerror = (e) => {
      this._rejectWaiters(new Error('connection error'));
      this._handlers.error(e);
    };
  }

  close() {
    const ch = this._channel;
    if (!ch) return;
    const state = this.readyState;
    if (state === 'connecting' || state === 'open') ch.close();
    // Data arriving after close() is not ours to parse any more; 'close' still comes.
    ch.onmessage = () => {};
  }

  _updateMode() {
    this._mode = this.protocol === 'base64' ? 'base64' : 'binary';
  }

  _detach() {
    const ch = this._channel;
    if (!ch) return;
    ch.onopen = ch.onmessage = ch.onclose = ch.onerror = null;
    this._channel = null;
  }

  // ---- receiving ----

  _receive(data) {
    let bytes;
    try {
      // A text frame is base64 (only the base64 mode has them); ArrayBuffer or a view otherwise.
      if (typeof data === 'string') bytes = base64ToBytes(data);
      // toString rather than instanceof: the data may come from another realm (iframe, vm).
      else if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') bytes = new Uint8Array(data);
      else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      else throw new TypeError(`unexpected message data type ${Object.prototype.toString.call(data)}`);
    } catch (err) {
      this._fail(err instanceof Error ? err : new Error(String(err)), false);
      return;
    }
    if (bytes.length === 0) return;
    if (!this._ensureRQSpace(bytes.length)) {
      this._fail(new Error(`Receive queue exceeded its maximum of ${this._maxRQ} bytes ` +
        `(${this.rQlen} unread + a ${bytes.length}-byte message): message dropped, connection closed`), true);
      return;
    }
    this._rQ.set(bytes, this._rQend);
    this._rQend += bytes.length;
    try {
      this._handlers.message();
    } finally {
      // Everything consumed: start again at the front, so the queue rarely needs compacting.
      if (this._rQi === this._rQend) this._rQi = this._rQend = 0;
      this._checkWaiters();
    }
  }

  // Makes room for n more bytes after _rQend: compact (move the unread bytes to the front) or grow.
  // False when the unread bytes plus n exceed the maximum.
  _ensureRQSpace(n) {
    if (this._rQend + n <= this._rQ.length) return true;
    const unread = this._rQend - this._rQi;
    const need = unread + n;
    if (need > this._maxRQ) return false;
    if (need <= this._rQ.length) {
      this._rQ.copyWithin(0, this._rQi, this._rQend);
    } else {
      const size = Math.min(this._maxRQ, Math.max(need, this._rQ.length * 2));
      const grown = new Uint8Array(size);
      grown.set(this._rQ.subarray(this._rQi, this._rQend));
      this._rQ = grown;
    }
    this._rQi = 0;
    this._rQend = unread;
    return true;
  }

  // Error event, pending waits rejected, channel closed (tooBig: with 1009 where the API allows).
  _fail(err, tooBig) {
    const ch = this._channel;
    this._rejectWaiters(err);
    this._handlers.error(err);
    if (!ch) return;
    ch.onmessage = () => {};
    const state = this.readyState;
    if (state !== 'connecting' && state !== 'open') return;
    try {
      if (tooBig) ch.close(CLOSE_TOO_BIG, 'receive queue full');
      else ch.close();
    } catch {
      ch.close(); // browser WebSockets throw InvalidAccessError for 1009
    }
  }

  // The receive queue's API. Reading past the unread bytes throws a RangeError rather than
  // returning stale bytes: callers are expected to rQwait first.

  get rQlen() { return this._rQend - this._rQi; }

  _need(len) {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`bad length ${len}`);
    if (len > this.rQlen) throw new RangeError(`receive queue has ${this.rQlen} bytes, ${len} requested`);
  }

  rQpeek8() {
    this._need(1);
    return this._rQ[this._rQi];
  }

  rQskipBytes(len) {
    this._need(len);
    this._rQi += len;
  }

  rQshift8() {
    this._need(1);
    return this._rQ[this._rQi++];
  }

  rQshift16() {
    this._need(2);
    const q = this._rQ, i = this._rQi;
    this._rQi += 2;
    return (q[i] << 8) | q[i + 1];
  }

  rQshift32() {
    this._need(4);
    const q = this._rQ, i = this._rQi;
    this._rQi += 4;
    // Multiply the top byte rather than shift it: << 24 would make values >= 2^31 negative.
    return q[i] * 0x1000000 + ((q[i + 1] << 16) | (q[i + 2] << 8) | q[i + 3]);
  }

  // len bytes as a latin1 string (one char per byte); all unread bytes when len is omitted.
  rQshiftStr(len = this.rQlen) {
    this._need(len);
    const s = bytesToLatin1(this._rQ.subarray(this._rQi, this._rQi + len));
    this._rQi += len;
    return s;
  }

  // copy=false returns a view into the queue: valid only until the next message arrives.
  rQshiftBytes(len = this.rQlen, copy = true) {
    const bytes = this.rQpeekBytes(len, copy);
    this._rQi += len;
    return bytes;
  }

  rQpeekBytes(len = this.rQlen, copy = true) {
    this._need(len);
    const start = this._rQi;
    return copy ? this._rQ.slice(start, start + len) : this._rQ.subarray(start, start + len);
  }

  // Copies len bytes into target (a Uint8Array, from its index 0) and consumes them.
  rQshiftTo(target, len) {
    this._need(len);
    if (target.length < len) throw new RangeError(`target holds ${target.length} bytes, ${len} requested`);
    target.set(this._rQ.subarray(this._rQi, this._rQi + len));
    this._rQi += len;
  }

  // True when fewer than num bytes are queued ("not enough yet"). Then, with goback, the read index
  // is first moved back by goback bytes, so a parser that consumed a header can retry it later.
  rQwait(msg, num, goback) {
    if (this.rQlen >= num) return false;
    if (goback) {
      if (goback > this._rQi) {
        throw new Error(`rQwait (${msg}) cannot go back ${goback} bytes: only ${this._rQi} consumed`);
      }
      this._rQi -= goback;
    }
    return true;
  }

  // Resolves once at least num bytes are queued; rejects on close, error, init() or signal abort.
  rQwaitAsync(num, { signal } = {}) {
    if (this.rQlen >= num) return Promise.resolve();
    if (signal && signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    const state = this.readyState;
    if (state === 'closing' || state === 'closed') {
      return Promise.reject(new Error(`connection ${state}: ${this.rQlen} of ${num} bytes queued`));
    }
    return new Promise((resolve, reject) => {
      const waiter = { num, resolve, reject, done: null };
      const onAbort = () => waiter.reject(signal.reason ?? new Error('aborted'));
      waiter.done = () => {
        this._waiters.delete(waiter);
        if (signal) signal.removeEventListener('abort', onAbort);
      };
      waiter.resolve = () => { waiter.done(); resolve(); };
      waiter.reject = (e) => { waiter.done(); reject(e); };
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      this._waiters.add(waiter);
    });
  }

  _checkWaiters() {
    for (const w of [...this._waiters]) if (this.rQlen >= w.num) w.resolve();
  }

  _rejectWaiters(err) {
    for (const w of [...this._waiters]) w.reject(err);
  }

  // For websock-compat.js (the old rQunshift8): put one byte back in front of the unread bytes.
  _rQunshift8(byte) {
    if (this._rQi === 0) {
      if (!this._ensureRQSpace(1)) throw new Error(`receive queue at its maximum of ${this._maxRQ} bytes`);
      this._rQ.copyWithin(1, 0, this._rQend);
      this._rQend++;
      this._rQi = 1;
    }
    this._rQ[--this._rQi] = byte & 0xff;
  }

  // ---- sending ----

  // Makes room for n bytes in the send buffer by flushing; throws when not open (nowhere to go).
  _sQroom(n) {
    if (this._sQlen + n <= this._sQ.length) return;
    this.flush();
    if (this._sQlen + n > this._sQ.length) {
      throw new Error(`send queue full (${this._sQlen} bytes) and the connection is ${this.readyState}`);
    }
  }

  sQpush8(num) {
    this._sQroom(1);
    this._sQ[this._sQlen++] = num;
  }

  sQpush16(num) {
    this._sQroom(2);
    const q = this._sQ;
    q[this._sQlen++] = (num >> 8) & 0xff;
    q[this._sQlen++] = num & 0xff;
  }

  sQpush32(num) {
    this._sQroom(4);
    const q = this._sQ;
    q[this._sQlen++] = (num >>> 24) & 0xff;
    q[this._sQlen++] = (num >> 16) & 0xff;
    q[this._sQlen++] = (num >> 8) & 0xff;
    q[this._sQlen++] = num & 0xff;
  }

  // Latin1: each char's low 8 bits.
  sQpushString(str) {
    let i = 0;
    while (i < str.length) {
      this._sQroom(1);
      const end = Math.min(str.length, i + (this._sQ.length - this._sQlen));
      for (; i < end; i++) this._sQ[this._sQlen++] = str.charCodeAt(i);
    }
  }

  sQpushBytes(bytes) {
    let i = 0;
    while (i < bytes.length) {
      this._sQroom(1);
      const n = Math.min(bytes.length - i, this._sQ.length - this._sQlen);
      this._sQ.set(bytes.subarray ? bytes.subarray(i, i + n) : Array.prototype.slice.call(bytes, i, i + n), this._sQlen);
      this._sQlen += n;
      i += n;
    }
  }

  // Sends the queued bytes as one message, if open (otherwise they wait for the next flush).
  flush() {
    if (this._sQlen === 0 || this.readyState !== 'open') return;
    // A copy: the channel may keep the data (an attached object) while we reuse the buffer.
    const bytes = this._sQ.slice(0, this._sQlen);
    this._sQlen = 0;
    this._channel.send(this._mode === 'base64' ? bytesToBase64(bytes) : bytes);
  }
}

export { Websock };
