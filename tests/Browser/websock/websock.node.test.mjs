// websock.js in node (global WebSocket: run with --experimental-websocket) against the real
// websockify daemon (WEBSOCKIFY_BIN, default build/bin/websockify) and a scripted node target.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import Websock, { Websock as NamedWebsock } from '../../../src/Browser/websock.js';
import {
  browserSrc, recorder, startDaemon, startTarget, withTimeout, writePieces, sleep,
} from './harness.mjs';

let target, daemon, url;

before(async () => {
  assert.equal(typeof WebSocket, 'function', 'no global WebSocket: run node with --experimental-websocket');
  target = await startTarget();
  daemon = await startDaemon(target.port);
  url = `ws://127.0.0.1:${daemon.port}/`;
});

beforeEach(() => target?.clear());

after(async () => {
  await daemon?.stop();
  await target?.stop();
});

// Opens a Websock (or attaches a spied raw WebSocket) and waits, bounded, for 'open'.
// spy: records the type of every frame sent and received.
async function connect(protocols, { options, spy } = {}) {
  const ws = new Websock(options);
  const frames = { sent: [], received: [] };
  const opened = new Promise((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', e => reject(new Error(`error before open: ${e?.message ?? e}`)));
    ws.on('close', e => reject(new Error(`closed before open: code ${e?.code}`)));
  });
  if (spy) {
    const raw = new WebSocket(url, protocols);
    const send = raw.send.bind(raw);
    raw.send = d => { frames.sent.push(typeof d === 'string' ? 'text' : 'binary'); send(d); };
    ws.attach(raw);
    const onmessage = raw.onmessage;
    raw.onmessage = e => { frames.received.push(typeof e.data === 'string' ? 'text' : 'binary'); onmessage(e); };
  } else {
    ws.open(url, protocols);
  }
  await withTimeout(opened, 5000, `open with protocols ${JSON.stringify(protocols)}`);
  for (const evt of ['open', 'error', 'close']) ws.off(evt);
  return { ws, frames };
}

async function closeWs(ws) {
  if (ws.readyState === 'closed' || ws.readyState === 'unused') return;
  const closed = new Promise(res => ws.on('close', res));
  ws.close();
  await withTimeout(closed, 5000, 'close event');
}

// Resolves once `cond()` is true, checked after every 'message' event.
function untilMessage(ws, cond, ms = 5000, what = 'data') {
  return withTimeout(new Promise((resolve, reject) => {
    ws.on('message', () => { try { if (cond()) resolve(); } catch (e) { reject(e); } });
  }), ms, what);
}

test('exports: default and named are the same class; starts unused', () => {
  assert.equal(Websock, NamedWebsock);
  const ws = new Websock();
  assert.equal(ws.readyState, 'unused');
  assert.equal(ws.rQlen, 0);
  assert.equal(ws.protocol, '');
  assert.equal(Websock.DEFAULT_MAX_RECEIVE_QUEUE, 40 * 1024 * 1024);
});

test('binary mode: a 32-bit value in 4 frames reassembles, unsigned big-endian', async () => {
  target.next(sock => writePieces(sock, [[0xde], [0xad], [0xbe], [0xef]], 40));
  const { ws, frames } = await connect(['binary'], { spy: true });
  try {
    assert.equal(ws.protocol, 'binary');
    assert.equal(ws.mode, 'binary');
    assert.equal(ws.readyState, 'open');
    let messages = 0, value = null;
    await untilMessage(ws, () => {
      messages++;
      if (ws.rQwait('u32', 4)) return false;
      value = ws.rQshift32();
      return true;
    });
    assert.equal(value, 0xdeadbeef);
    assert.ok(value > 0x80000000);
    assert.ok(messages >= 2, `expected the value split over several frames, got ${messages}`);
    assert.ok(frames.received.length >= 2 && frames.received.every(t => t === 'binary'), JSON.stringify(frames.received));
  } finally { await closeWs(ws); }
});

test('no protocol offered: binary; values coalesced in one frame', async () => {
  const payload = [0x7f, 0x80, 0x01, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x41, 0x42, 0xe9, 0xff, 0x80, 0x00, 0x12, 0x34];
  target.next(async sock => { await sleep(50); sock.write(Buffer.from(payload)); });
  const { ws } = await connect(undefined);
  try {
    assert.equal(ws.protocol, '');
    assert.equal(ws.mode, 'binary');
    let firstLen = null;
    await untilMessage(ws, () => { firstLen ??= ws.rQlen; return ws.rQlen >= payload.length; });
    assert.equal(firstLen, payload.length, 'one write should arrive as one message');
    assert.equal(ws.rQpeek8(), 0x7f);
    assert.equal(ws.rQshift8(), 0x7f);
    assert.equal(ws.rQshift16(), 0x8001);
    assert.equal(ws.rQshift32(), 0xffffffff);
    assert.equal(ws.rQshift32(), 0x80000000);
    const s = ws.rQshiftStr(4);
    assert.equal(s, 'AB\u00e9\u00ff');
    assert.deepEqual([...s].map(c => c.charCodeAt(0)), [0x41, 0x42, 0xe9, 0xff]);
    assert.equal(ws.rQshift16(), 0x8000);
    assert.equal(ws.rQshift16(), 0x1234);
    assert.equal(ws.rQlen, 0);
    assert.throws(() => ws.rQshift8(), RangeError);
  } finally { await closeWs(ws); }
});

test('base64 mode: offered alone it is negotiated, text frames both ways, split and coalesced data', async () => {
  const rec = recorder();
  target.next(sock => {
    rec.script(sock);
    return writePieces(sock, [[0x12], [0x34, 0x56], [0x78], [0xff, 0xfe, 0x41, 0xe9, 0x00, 0x01]], 40);
  });
  const { ws, frames } = await connect(['base64'], { spy: true });
  try {
    assert.equal(ws.protocol, 'base64');
    assert.equal(ws.mode, 'base64');
    let messages = 0;
    await untilMessage(ws, () => { messages++; return ws.rQlen >= 10; });
    assert.ok(messages >= 2);
    assert.equal(ws.rQshift32(), 0x12345678);
    assert.equal(ws.rQshift16(), 0xfffe);
    assert.equal(ws.rQshiftStr(2), 'A\u00e9');
    assert.equal(ws.rQshift16(), 1);
    ws.sQpush8(0xff);
    ws.sQpush16(0x8081);
    ws.sQpush32(0xfedcba98);
    ws.flush();
    assert.deepEqual([...await rec.until(7)], [0xff, 0x80, 0x81, 0xfe, 0xdc, 0xba, 0x98]);
    await sleep(100);
    assert.equal(rec.total, 7, 'nothing more than pushed');
    assert.ok(frames.received.every(t => t === 'text'), JSON.stringify(frames.received));
    assert.deepEqual(frames.sent, ['text']);
  } finally { await closeWs(ws); }
});

test('rQshiftBytes copy vs view, rQpeekBytes, rQshiftTo, rQskipBytes', async () => {
  target.next(async sock => {
    await sleep(30);
    sock.write(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]));
    await new Promise(res => sock.once('data', res)); // the test's go-ahead
    sock.write(Buffer.from([100, 101, 102, 103, 104, 105, 106, 107]));
  });
  const { ws } = await connect(['binary']);
  try {
    let copy, view, peekCopy, peekView, to;
    await untilMessage(ws, () => {
      if (ws.rQlen < 16) return false;
      peekCopy = ws.rQpeekBytes(2);
      peekView = ws.rQpeekBytes(2, false);
      assert.equal(ws.rQlen, 16, 'peek must not consume');
      copy = ws.rQshiftBytes(4);
      view = ws.rQshiftBytes(4, false);
      ws.rQskipBytes(2);
      to = new Uint8Array(6).fill(0xaa);
      ws.rQshiftTo(to, 4);
      assert.equal(ws.rQlen, 2);
      assert.throws(() => ws.rQskipBytes(3), RangeError);
      assert.throws(() => ws.rQshiftBytes(3), RangeError);
      assert.deepEqual([...ws.rQshiftBytes(2)], [14, 15]);
      return true;
    }, 5000, '16 bytes');
    assert.deepEqual([...copy], [0, 1, 2, 3]);
    assert.deepEqual([...view], [4, 5, 6, 7]);
    assert.deepEqual([...peekCopy], [0, 1]);
    assert.deepEqual([...to], [10, 11, 12, 13, 0xaa, 0xaa]);
    // All consumed: the next message is written from the queue's start, over what the views see.
    ws.sQpush8(1);
    ws.flush();
    await untilMessage(ws, () => ws.rQlen >= 8, 5000, 'second message');
    assert.deepEqual([...copy], [0, 1, 2, 3], 'a copy keeps its bytes');
    assert.deepEqual([...peekCopy], [0, 1]);
    assert.deepEqual([...view], [104, 105, 106, 107], 'a view shows the queue');
    assert.deepEqual([...peekView], [100, 101]);
  } finally { await closeWs(ws); }
});

test('rQwait: true while short, goback rewinds, going back too far throws', async () => {
  target.next(async sock => {
    await writePieces(sock, [[0x05, 0xaa, 0xbb]], 30);
    await new Promise(res => sock.once('data', res));
    sock.write(Buffer.from([0xcc, 0xdd, 0xee]));
  });
  const { ws } = await connect(['binary']);
  try {
    const seen = [];
    await untilMessage(ws, () => {
      if (ws.rQlen < 3 && seen.length === 0) return false;
      if (seen.length === 0) {
        const type = ws.rQshift8();
        assert.equal(type, 5);
        assert.equal(ws.rQwait('body', 4, 1), true);
        assert.equal(ws.rQlen, 3, 'goback 1 puts the type byte back');
        assert.equal(ws.rQpeek8(), 5);
        assert.throws(() => ws.rQwait('body', 4, 1), /cannot go back 1 bytes/);
        assert.equal(ws.rQwait('body', 3), false);
        assert.equal(ws.rQwait('body', 4), true);
        assert.equal(ws.rQlen, 3, 'no goback, nothing moved');
        seen.push('first');
        ws.sQpush8(0);
        ws.flush();
        return false;
      }
      if (ws.rQwait('all', 6)) return false;
      seen.push([...ws.rQshiftBytes(6)]);
      return true;
    });
    assert.deepEqual(seen, ['first', [0x05, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]]);
  } finally { await closeWs(ws); }
});

test('rQwaitAsync: resolves when enough arrived, rejects on abort and on close', async () => {
  target.next(sock => writePieces(sock, [[1, 2], [3, 4], [5, 6]], 40));
  const { ws } = await connect(['binary']);
  let closed = false;
  try {
    assert.equal(ws.rQlen, 0);
    await withTimeout(ws.rQwaitAsync(6), 5000, 'rQwaitAsync(6)');
    assert.deepEqual([...ws.rQshiftBytes(6)], [1, 2, 3, 4, 5, 6]);
    await ws.rQwaitAsync(0); // already satisfied

    const ac = new AbortController();
    const aborted = ws.rQwaitAsync(1, { signal: ac.signal });
    ac.abort(new Error('test abort'));
    await assert.rejects(withTimeout(aborted, 2000, 'abort'), /test abort/);

    const pending = ws.rQwaitAsync(100);
    const closeEvent = new Promise(res => ws.on('close', res));
    ws.close();
    await assert.rejects(withTimeout(pending, 5000, 'rejection on close'), /closed/);
    await withTimeout(closeEvent, 5000, 'close');
    closed = true;
    assert.equal(ws.readyState, 'closed');
    await assert.rejects(ws.rQwaitAsync(1), /closed/);
  } finally { if (!closed) await closeWs(ws); }
});

// Pushes a known byte sequence with every sQpush*; returns the expected bytes.
function pushAll(ws, big) {
  const expected = [];
  ws.sQpush8(0x00); expected.push(0x00);
  ws.sQpush8(0xff); expected.push(0xff);
  ws.sQpush16(0xbeef); expected.push(0xbe, 0xef);
  ws.sQpush32(0x80000001); expected.push(0x80, 0x00, 0x00, 0x01);
  ws.sQpush32(0xffffffff); expected.push(0xff, 0xff, 0xff, 0xff);
  ws.sQpushString('hi\u00e9\u00ff\u0080'); expected.push(0x68, 0x69, 0xe9, 0xff, 0x80);
  ws.sQpushBytes(big); expected.push(...big);
  ws.sQpush8(0x42); expected.push(0x42);
  ws.flush();
  return Buffer.from(expected);
}

for (const protocol of ['binary', 'base64']) {
  test(`send side round-trips byte-exact through an echo target (${protocol})`, async () => {
    const big = new Uint8Array(3 * Websock.SEND_QUEUE_SIZE + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
    const rec = recorder({ echoBack: true });
    target.next(rec.script);
    const { ws, frames } = await connect([protocol], { spy: true });
    try {
      assert.equal(ws.protocol, protocol);
      const expected = pushAll(ws, big);
      const received = await rec.until(expected.length);
      await sleep(100);
      assert.equal(rec.total, expected.length, 'nothing more than pushed');
      assert.ok(received.equals(expected), 'bytes at the target differ');
      await withTimeout(ws.rQwaitAsync(expected.length), 10000, 'echo');
      const back = ws.rQshiftBytes(expected.length);
      assert.ok(Buffer.from(back).equals(expected), 'echoed bytes differ');
      assert.ok(frames.sent.length >= 4, `big data should go in send-buffer chunks, got ${frames.sent.length} frames`);
      assert.ok(frames.sent.every(t => t === (protocol === 'base64' ? 'text' : 'binary')), JSON.stringify(frames.sent));
    } finally { await closeWs(ws); }
  });
}

test('receive queue bound: error event, close, no growth past maxReceiveQueue', async () => {
  // Above one message (the daemon's frames can be up to its 128 KiB pooled read buffer), below the 1 MiB sent.
  const max = 256 * 1024;
  target.next(sock => {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let n = 0;
    const more = () => { while (n < 16 && !sock.destroyed) { n++; if (!sock.write(chunk)) { sock.once('drain', more); return; } } };
    sock.once('data', more); // only once the test's handlers are in place (its "go" byte)
  });
  const { ws } = await connect(['binary'], { options: { maxReceiveQueue: max } });
  const errors = [];
  let maxSeen = 0;
  const closed = new Promise(res => ws.on('close', res));
  ws.on('error', e => errors.push(e));
  ws.on('message', () => { maxSeen = Math.max(maxSeen, ws.rQlen); }); // never reads
  ws.sQpush8(1);
  ws.flush();
  const closeEvent = await withTimeout(closed, 10000, 'close after overflow');
  assert.ok(errors.length >= 1, 'an error event');
  assert.ok(errors[0] instanceof Error);
  assert.match(errors[0].message, /262144 bytes/);
  assert.ok(maxSeen > 0 && maxSeen <= max, `queued ${maxSeen}`);
  assert.ok(ws.rQlen <= max);
  assert.ok(ws._rQ.length <= max, `buffer grew to ${ws._rQ.length}`);
  assert.equal(ws.readyState, 'closed');
  assert.ok(closeEvent && typeof closeEvent.code === 'number');
});

test('attach(): a plain object channel (no network), binary then base64', () => {
  const makeChannel = (protocol, readyState) => ({
    sent: [], closed: 0, binaryType: 'blob', protocol, readyState,
    onopen: null, onmessage: null, onerror: null, onclose: null,
    send(d) { this.sent.push(d); }, close() { this.closed++; this.readyState = 'closing'; },
  });
  assert.throws(() => new Websock().attach({ send() {} }), /close/);

  const ch = makeChannel('', 'connecting');
  const ws = new Websock();
  const events = [];
  ws.on('open', () => events.push('open'));
  ws.on('message', (...args) => events.push(`message/${args.length}`));
  ws.on('close', e => events.push(`close/${e.code}`));
  ws.on('error', e => events.push(`error/${e.message}`));
  ws.attach(ch);
  assert.equal(ch.binaryType, 'arraybuffer');
  assert.equal(ws.readyState, 'connecting');
  ws.sQpush8(1);
  ws.flush();
  assert.equal(ch.sent.length, 0, 'nothing sent before open');
  ch.readyState = 'open';
  ch.onopen();
  assert.equal(ws.readyState, 'open');
  ws.flush();
  assert.equal(ch.sent.length, 1);
  assert.deepEqual([...ch.sent[0]], [1]);
  ch.onmessage({ data: new Uint8Array([0x80, 0, 0, 1, 9]).buffer });
  assert.equal(ws.rQshift32(), 0x80000001);
  ch.onmessage({ data: new Uint8Array([7]) }); // a view works too
  assert.deepEqual([...ws.rQshiftBytes(2)], [9, 7]);
  ch.onerror({ message: 'x' });
  ws.close();
  assert.equal(ch.closed, 1);
  assert.equal(ws.readyState, 'closing');
  ch.readyState = 'closed';
  ch.onclose({ code: 1006 });
  assert.deepEqual(events, ['open', 'message/0', 'message/0', 'error/x', 'close/1006']);

  // Numeric states (a WebSocket's), and base64 when that subprotocol was chosen.
  const ch2 = makeChannel('base64', 1);
  const ws2 = new Websock();
  ws2.attach(ch2);
  assert.equal(ws2.readyState, 'open');
  assert.equal(ws2.mode, 'base64');
  ws2.sQpushString('\u00ff\u0000A');
  ws2.flush();
  assert.deepEqual(ch2.sent, [btoa('\u00ff\u0000A')]);
  ch2.onmessage({ data: btoa('\u0001\u00fe') });
  assert.equal(ws2.rQshift16(), 0x01fe);
  for (const [n, name] of [[0, 'connecting'], [2, 'closing'], [3, 'closed']]) { ch2.readyState = n; assert.equal(ws2.readyState, name); }
  // Overflow through an attached channel: 1009 is tried first.
  const ch3 = makeChannel('', 'open');
  ch3.close = function (code) { this.closeCode = code; this.readyState = 'closing'; };
  const ws3 = new Websock({ maxReceiveQueue: 8 });
  let err;
  ws3.on('error', e => { err = e; });
  ws3.attach(ch3);
  ch3.onmessage({ data: new Uint8Array(5).buffer });
  ch3.onmessage({ data: new Uint8Array(5).buffer });
  assert.match(err.message, /maximum of 8 bytes/);
  assert.equal(ch3.closeCode, 1009);
  assert.equal(ws3.rQlen, 5);
});

// The classic build as make build produces it (build-classic.mjs), generated here from the module under test.
function classicBuild() {
  const dir = mkdtempSync(path.join(tmpdir(), 'websock-classic-'));
  try {
    const out = path.join(dir, 'websock.classic.js');
    execFileSync(process.execPath, [path.join(browserSrc, 'build-classic.mjs'), path.join(browserSrc, 'websock.js'), out], { timeout: 10000 });
    return readFileSync(out, 'utf8');
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('compat: the old API (classic build + websock-compat.js in a fresh context) through the daemon', async () => {
  const ctx = vm.createContext({ WebSocket, atob, btoa, console });
  assert.throws(() => vm.runInContext(readFileSync(path.join(browserSrc, 'websock-compat.js'), 'utf8'), ctx), /load websock.classic.js/);
  vm.runInContext(classicBuild(), ctx);
  vm.runInContext(readFileSync(path.join(browserSrc, 'websock-compat.js'), 'utf8'), ctx);
  assert.equal(typeof ctx.WebsockCore, 'function');
  const ws = ctx.Websock(); // without new
  assert.equal(typeof new ctx.Websock().rQshift8, 'function'); // and with
  assert.equal(ws.get_mode(), 'base64');
  assert.deepEqual([...ws.init()], ['binary', 'base64']);

  const rec = recorder();
  target.next(async sock => {
    rec.script(sock);
    await writePieces(sock, [[0xab, 0x00, 0x10], [0x80, 0, 0, 2, 0x41, 0xe9]], 40);
  });
  const opened = new Promise(res => ws.on('open', res));
  ws.open(url);
  await withTimeout(opened, 5000, 'compat open');
  assert.equal(ws.get_mode(), 'binary', 'the daemon prefers binary from the default offer');
  await withTimeout(new Promise(res => ws.on('message', () => { if (ws.rQlen() >= 9) res(); })), 5000, 'compat data');
  assert.equal(ws.rQpeek8(), 0xab);
  assert.deepEqual([...ws.rQslice(0, 3)], [0xab, 0x00, 0x10]);
  assert.deepEqual([...ws.rQslice(1)], [0x00, 0x10, 0x80, 0, 0, 2, 0x41, 0xe9]);
  assert.equal(ws.rQshift8(), 0xab);
  assert.equal(ws.get_rQi(), 1);
  assert.equal(ws.rQshift16(), 0x0010);
  ws.rQunshift8(0x10);
  assert.equal(ws.rQshift8(), 0x10);
  ws.set_rQi(1);
  assert.equal(ws.rQshift16(), 0x0010);
  assert.equal(ws.rQwait('x', 10, 3), true);
  assert.equal(ws.get_rQi(), 0);
  ws.set_rQi(3);
  assert.equal(ws.rQshift32(), 0x80000002);
  assert.equal(ws.get_rQ()[ws.get_rQi()], 0x41);
  const rest = ws.rQshiftBytes(1);
  assert.ok(Array.isArray(rest));
  assert.deepEqual([...rest], [0x41]);
  assert.equal(ws.rQshiftStr(), '\u00e9');
  assert.equal(ws.send([1, 2, 0x1ff]), true);
  assert.equal(ws.send_string('\u00ffab\u00e9'), true);
  assert.deepEqual([...await rec.until(7)], [1, 2, 0xff, 0xff, 0x61, 0x62, 0xe9]);
  const closed = new Promise(res => ws.on('close', res));
  ws.close();
  await withTimeout(closed, 5000, 'compat close');
});
