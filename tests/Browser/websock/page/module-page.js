// Scenarios run by websock.chromium.test.mjs through page.evaluate(); each returns plain data that
// the node side asserts. Every wait here is bounded.
import Websock from './websock.js';

const withTimeout = (p, ms, what) => Promise.race([
  p, new Promise((_, rej) => setTimeout(() => rej(new Error(`page: timed out after ${ms} ms: ${what}`)), ms)),
]);

async function connect(url, protocols) {
  const ws = new Websock();
  const opened = new Promise((res, rej) => {
    ws.on('open', res);
    ws.on('close', e => rej(new Error(`closed before open (code ${e.code})`)));
  });
  ws.open(url, protocols);
  await withTimeout(opened, 5000, 'open');
  ws.off('close');
  return ws;
}

async function closeWs(ws) {
  const closed = new Promise(res => ws.on('close', res));
  ws.close();
  await withTimeout(closed, 5000, 'close');
}

const toBase64 = bytes => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };

// The same byte pattern as the node side's bigPattern().
const bigPattern = n => { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = (i * 13 + (i >> 9)) & 0xff; return a; };

window.scenarios = {
  // Pushes with every sQpush*, waits for the echo, returns what came back (base64 for transport).
  async echo(url, protocols, bigLen) {
    const ws = await connect(url, protocols);
    const info = { protocol: ws.protocol, mode: ws.mode, readyState: ws.readyState };
    ws.sQpush8(0xff);
    ws.sQpush16(0xbeef);
    ws.sQpush32(0x80000001);
    ws.sQpushString('h\u00e9\u00ff');
    ws.sQpushBytes(bigPattern(bigLen));
    ws.flush();
    const total = 1 + 2 + 4 + 3 + bigLen;
    await withTimeout(ws.rQwaitAsync(total), 10000, `echo of ${total} bytes`);
    info.extra = ws.rQlen - total;
    info.echoed = toBase64(ws.rQshiftBytes(total));
    await closeWs(ws);
    return info;
  },

  // The target sends a u32 in 4 frames, then [0x80 0x01] and later 6 more bytes.
  async scripted(url, protocols) {
    const ws = await connect(url, protocols);
    const r = { protocol: ws.protocol, mode: ws.mode, messages: 0, shortWaits: 0, gobacks: 0 };
    let state = 0;
    const done = new Promise((resolve, reject) => ws.on('message', () => {
      try {
        r.messages++;
        if (state === 0) {
          if (ws.rQwait('u32', 4)) { r.shortWaits++; return; }
          r.u32 = ws.rQshift32();
          state = 1;
        }
        if (state === 1) {
          if (ws.rQlen < 2) return;
          r.peek = ws.rQpeek8();
          r.u16 = ws.rQshift16();
          if (ws.rQwait('rest', 6, 2)) { r.gobacks++; r.lenAfterGoback = ws.rQlen; return; }
          r.u32b = ws.rQshift32();
          r.str = ws.rQshiftStr(2);
          try { ws.rQwait('too far', 100, 1000); r.threw = false; } catch (e) { r.threw = e.message; }
          r.left = ws.rQlen;
          resolve();
        }
      } catch (e) { reject(e); }
    }));
    await withTimeout(done, 5000, 'scripted bytes');
    await closeWs(ws);
    return r;
  },
};
window.pageReady = true;
