// websock.js in Debian's headless Chromium (driven by playwright-core), served by the real daemon's
// own web server (--web) on the same port as the WebSocket, in front of a scripted node target.
// The pages run scenarios (page/*.js) and return plain results; the assertions are here.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  browserSrc, closeBrowser, recorder, startDaemon, startTarget, withTimeout, writePieces, sleep,
} from './harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));

let target, daemon, webDir, browser, page, base;

before(async () => {
  // A temp copy: the served directory holds exactly the library and the test pages.
  webDir = mkdtempSync(path.join(tmpdir(), 'websock-web-'));
  for (const f of ['websock.js', 'websock-compat.js']) copyFileSync(path.join(browserSrc, f), path.join(webDir, f));
  // The classic build is generated for this run from the module under test.
  execFileSync(process.execPath, [path.join(browserSrc, 'build-classic.mjs'),
    path.join(webDir, 'websock.js'), path.join(webDir, 'websock.classic.js')], { timeout: 10000 });
  for (const f of readdirSync(path.join(here, 'page'))) copyFileSync(path.join(here, 'page', f), path.join(webDir, f));
  target = await startTarget();
  daemon = await startDaemon(target.port, [`--web=${webDir}`]);
  base = `127.0.0.1:${daemon.port}`;
});

beforeEach(() => target?.clear());


after(async () => {
  await closeBrowser(browser);
  await daemon?.stop();
  await target?.stop();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
});

// The browser, launched once for the file; fails (not skips) when Chromium is not installed.
async function getBrowser() {
  if (browser) return browser;
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package to run the browser tests`);
  }
  const { chromium } = await import('playwright-core');
  const args = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
  if (process.getuid?.() === 0) args.push('--no-sandbox'); // Chromium refuses its sandbox as root
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: 30000 });
  return browser;
}

const pageErrors = [];

// Loads a page from the daemon's web server and waits (bounded) for its scenarios.
async function load(name) {
  const b = await getBrowser();
  if (page) await page.close().catch(() => {});
  pageErrors.length = 0;
  page = await b.newPage();
  page.on('pageerror', e => pageErrors.push(`${name}: ${e}`));
  // Resource errors are judged by URL below (the browser asks for /favicon.ico, which is not served).
  page.on('console', m => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`${name} console: ${m.text()}`);
  });
  page.on('response', r => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) pageErrors.push(`${name}: HTTP ${r.status()} ${r.url()}`);
  });
  const resp = await page.goto(`http://${base}/${name}`, { timeout: 15000, waitUntil: 'load' });
  assert.equal(resp.status(), 200, `GET /${name}`);
  await page.waitForFunction(() => window.pageReady === true, null, { timeout: 10000, polling: 50 });
  return page;
}

// Runs window.scenarios[name](...args) in the page, bounded on the node side too.
function run(p, name, ...args) {
  return withTimeout(p.evaluate(([n, a]) => window.scenarios[n](...a), [name, args]), 20000, `scenario ${name}`);
}

const bigPattern = n => { const a = Buffer.alloc(n); for (let i = 0; i < n; i++) a[i] = (i * 13 + (i >> 9)) & 0xff; return a; };

test('Chromium is installed', () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package`);
});

for (const protocol of ['binary', 'base64']) {
  test(`module page: byte-exact echo in ${protocol} mode`, async () => {
    const p = await load('module.html');
    const bigLen = 25000; // more than the 10 KiB send buffer: several messages
    const rec = recorder({ echoBack: true });
    target.next(rec.script);
    const r = await run(p, 'echo', `ws://${base}/`, [protocol], bigLen);
    const expected = Buffer.concat([Buffer.from([0xff, 0xbe, 0xef, 0x80, 0x00, 0x00, 0x01, 0x68, 0xe9, 0xff]), bigPattern(bigLen)]);
    assert.equal(r.protocol, protocol);
    assert.equal(r.mode, protocol);
    assert.equal(r.readyState, 'open');
    assert.equal(r.extra, 0);
    const atTarget = await rec.until(expected.length);
    assert.ok(atTarget.equals(expected), 'bytes at the target differ');
    assert.equal(rec.total, expected.length);
    assert.ok(Buffer.from(r.echoed, 'base64').equals(expected), 'echoed bytes differ');
    assert.deepEqual(pageErrors, []);
  });
}

for (const protocol of ['binary', 'base64']) {
  test(`module page: split frames, unsigned big-endian reads, rQwait and goback (${protocol})`, async () => {
    const p = await load('module.html');
    target.next(async sock => {
      await writePieces(sock, [[0xfe], [0xdc], [0xba], [0x98]], 40);
      await writePieces(sock, [[0x80, 0x01]], 60);
      await writePieces(sock, [[0xff, 0xff, 0xff, 0xff, 0x41, 0xe9]], 80);
    });
    const r = await run(p, 'scripted', `ws://${base}/`, [protocol]);
    assert.equal(r.protocol, protocol);
    assert.equal(r.mode, protocol);
    assert.equal(r.u32, 0xfedcba98);
    assert.ok(r.shortWaits >= 1, `rQwait said "not enough" ${r.shortWaits} times`);
    assert.equal(r.peek, 0x80);
    assert.equal(r.u16, 0x8001);
    assert.equal(r.gobacks, 1);
    assert.equal(r.lenAfterGoback, 2, 'goback 2 restores the two header bytes');
    assert.equal(r.u32b, 0xffffffff);
    assert.equal(r.str, 'A\u00e9');
    assert.match(String(r.threw), /cannot go back 1000 bytes/);
    assert.equal(r.left, 0);
    assert.ok(r.messages >= 3, `messages: ${r.messages}`); // the u32 pieces may coalesce, the later ones not
    assert.deepEqual(pageErrors, []);
  });
}

for (const [label, protocols, mode] of [['default protocols', undefined, 'binary'], ['base64 only', ['base64'], 'base64']]) {
  test(`classic page: classic build + compat, old API (${label})`, async () => {
    const p = await load('classic.html');
    const rec = recorder();
    target.next(async sock => {
      rec.script(sock);
      await writePieces(sock, [[0xab, 0x80], [0x01, 0xde, 0xad, 0xbe, 0xef, 0x41, 0xe9]], 50);
    });
    const r = await run(p, 'compat', `ws://${base}/`, protocols);
    assert.equal(r.hasCore, true);
    assert.equal(r.modeBefore, 'base64');
    assert.equal(r.mode, mode);
    assert.ok(r.waits >= 1);
    assert.deepEqual(r.slice, [0xab, 0x80, 0x01]);
    assert.equal(r.u8, 0xab);
    assert.equal(r.u16, 0x8001);
    assert.equal(r.u32, 0xdeadbeef);
    assert.equal(r.str, 'A\u00e9');
    assert.equal(r.sent1, true);
    assert.equal(r.sent2, true);
    assert.deepEqual([...await rec.until(5)], [1, 2, 3, 0x78, 0xff]);
    await sleep(50);
    assert.equal(rec.total, 5);
    assert.deepEqual(pageErrors, []);
  });
}
