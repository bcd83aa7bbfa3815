// Shared by the websock tests: the real websockify daemon in front of a scripted node `net` target.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const browserSrc = path.join(repoRoot, 'src/Browser');

export function daemonBinary() {
  const bin = process.env.WEBSOCKIFY_BIN || 'build/bin/websockify';
  return path.resolve(repoRoot, bin);
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

// Rejects after ms with a message naming what was awaited.
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export async function freePort() {
  const srv = net.createServer();
  await new Promise((res, rej) => { srv.once('error', rej); srv.listen(0, '127.0.0.1', res); });
  const { port } = srv.address();
  await new Promise(res => srv.close(res));
  return port;
}

// A target whose connections are handled by scripts queued with next(fn), in order; a connection
// with no queued script echoes. Each script gets the socket; `sent`/`received` are recorded.
export async function startTarget() {
  const scripts = [];
  const sockets = new Set();
  const server = net.createServer(sock => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const script = scripts.shift() || echo;
    Promise.resolve().then(() => script(sock)).catch(err => { console.error('target script failed:', err); sock.destroy(); });
  });
  await new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); });
  return {
    port: server.address().port,
    next(fn) { scripts.push(fn); },
    pending() { return scripts.length; },
    // Drops scripts a failed test left queued, so they cannot serve the next test's connection.
    clear() { scripts.length = 0; },
    async stop() {
      for (const s of sockets) s.destroy();
      await withTimeout(new Promise(res => server.close(res)), 5000, 'target server close');
    },
  };
}

export function echo(sock) { sock.on('data', d => sock.write(d)); }

// Writes each piece with a delay before it (so they reach the client as separate frames).
export async function writePieces(sock, pieces, delayMs = 30) {
  for (const p of pieces) {
    await sleep(delayMs);
    if (sock.destroyed) return;
    sock.write(Buffer.from(p));
  }
}

// Collects what the client sent until `total` bytes arrived; resolves with a Buffer.
export function collect(sock, total, ms = 10000) {
  return withTimeout(new Promise((resolve, reject) => {
    const parts = [];
    let n = 0;
    sock.on('data', d => { parts.push(d); n += d.length; if (n >= total) resolve(Buffer.concat(parts)); });
    sock.on('close', () => reject(new Error(`target connection closed after ${n} of ${total} bytes`)));
  }), ms, `${total} bytes at the target`);
}

// A target script that records (and, with echoBack, echoes) what the client sends; until(n)
// resolves with the first n bytes, bounded. Usable before the daemon has connected to the target.
export function recorder({ echoBack = false } = {}) {
  const parts = [];
  let total = 0;
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) if (total >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve(Buffer.concat(parts).subarray(0, w.n)); }
  };
  return {
    script(sock) {
      sock.on('data', d => { parts.push(d); total += d.length; if (echoBack) sock.write(d); check(); });
    },
    until(n, ms = 10000) {
      return withTimeout(new Promise(resolve => { waiters.push({ n, resolve }); check(); }), ms,
        `${n} bytes at the target (${total} so far)`);
    },
    get total() { return total; },
  };
}

async function canConnect(port) {
  return new Promise(resolve => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

// Starts websockify 127.0.0.1:<free port> 127.0.0.1:<targetPort> [extra args], waits (bounded)
// until its port accepts. Returns { port, pid, stop(), log() }.
export async function startDaemon(targetPort, extraArgs = []) {
  const bin = daemonBinary();
  const port = await freePort();
  const args = [...extraArgs, `127.0.0.1:${port}`, `127.0.0.1:${targetPort}`];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', d => { output += d; });
  child.stderr.on('data', d => { output += d; });
  let exited = null;
  const exit = new Promise(res => child.once('exit', (code, signal) => { exited = { code, signal }; res(exited); }));
  const spawnError = new Promise(res => child.once('error', e => res(e)));
  const deadline = Date.now() + 10000;
  for (;;) {
    const err = await Promise.race([spawnError, sleep(0).then(() => null)]);
    if (err) throw new Error(`cannot start ${bin}: ${err.message} (set WEBSOCKIFY_BIN)`);
    if (exited) throw new Error(`${bin} exited (${JSON.stringify(exited)}) before listening:\n${output}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${bin} did not accept on port ${port} within 10 s:\n${output}`);
    }
    await sleep(50);
  }
  return {
    port,
    pid: child.pid,
    log: () => output,
    // By PID only: SIGTERM, then SIGKILL if it has not exited within 5 s.
    async stop() {
      if (exited) return exited;
      try { process.kill(child.pid, 'SIGTERM'); } catch { return exited; }
      try {
        return await withTimeout(exit, 5000, 'daemon exit after SIGTERM');
      } catch {
        try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
        return withTimeout(exit, 5000, 'daemon exit after SIGKILL');
      }
    },
  };
}

// Chromium's PIDs among this process's children, to kill by PID if browser.close() hangs.
function chromiumChildren() {
  const pids = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      for (const pid of readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chromium')) pids.push(Number(pid));
      }
    } catch { /* gone */ }
  }
  return pids;
}

// Closes the browser, bounded; if that hangs, kills its processes by PID (never by name).
export async function closeBrowser(browser) {
  if (!browser) return;
  const pids = chromiumChildren();
  try {
    await withTimeout(browser.close(), 10000, 'browser.close');
  } catch {
    for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
}
