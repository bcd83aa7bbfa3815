// Drives noVNC's vnc.html in Debian's headless Chromium for the browser end-to-end tests.
//   node novnc.mjs URL USER_DATA_DIR [EXTRA_CHROMIUM_FLAG...]
// Opens URL, waits (bounded) until noVNC says "Connected", then answers commands read from stdin, one
// per line: "sample" (canvas size and pixel colours), "screenshot PATH", "quit". Every answer is one
// JSON line on stdout, so the C# test can read them as they come.
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, userDataDir, ...extraFlags] = process.argv.slice(2);
if (!url || !userDataDir) {
  console.error('usage: node novnc.mjs URL USER_DATA_DIR [FLAG...]');
  process.exit(2);
}

const emit = (event, fields = {}) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');

// Chromium must stay on loopback: without these it tries to reach Google's hosts at every start.
const flags = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ...extraFlags,
];

// Chromium's own PIDs (its process group leader is the direct child of this process): the C# side
// kills that group if close() does not end it.
function childPids() {
  const pids = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      pids.push(...readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch { /* the thread ended */ }
  }
  return pids;
}

// Reads the whole canvas once and reports its size, the colours at five points and how many pixels
// differ from the centre: a solid desktop has none.
async function sample(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('#noVNC_container canvas');
    if (!canvas) return { canvas: false };
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const hex = (x, y) => {
      const i = (y * width + x) * 4;
      return '#' + [data[i], data[i + 1], data[i + 2]].map(v => v.toString(16).padStart(2, '0')).join('');
    };
    const c = (Math.floor(height / 2) * width + Math.floor(width / 2)) * 4;
    let differing = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[c] || data[i + 1] !== data[c + 1] || data[i + 2] !== data[c + 2]) differing++;
    }
    return {
      canvas: true, width, height, differing,
      centre: hex(Math.floor(width / 2), Math.floor(height / 2)),
      corners: [hex(0, 0), hex(width - 1, 0), hex(0, height - 1), hex(width - 1, height - 1)],
    };
  });
}

const statusText = page => page.evaluate(() => document.getElementById('noVNC_status')?.textContent ?? null).catch(() => null);

let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: flags,
    viewport: { width: 1024, height: 768 },
    timeout: 30000,
  });
  emit('launched', { pids: childPids() });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') emit('console', { type: m.type(), text: m.text() }); });
  page.on('pageerror', e => emit('pageerror', { text: String(e) }));
  page.on('requestfailed', r => emit('requestfailed', { url: r.url(), error: r.failure()?.errorText }));
  page.on('response', r => { if (r.status() >= 400) emit('http', { url: r.url(), status: r.status() }); });

  await page.goto(url, { timeout: 15000, waitUntil: 'load' });
  // ui.js adds noVNC_connected to <html> in its "connect" event handler, right after it shows
  // "Connected (encrypted|unencrypted) to NAME" in #noVNC_status.
  try {
    await page.waitForFunction(
      () => document.documentElement.classList.contains('noVNC_connected') && document.querySelector('#noVNC_container canvas'),
      null, { timeout: 20000, polling: 100 });
  } catch (e) {
    emit('error', { message: `not connected: ${e.message.split('\n')[0]}`, status: await statusText(page) });
    throw e;
  }
  emit('connected', { status: await statusText(page), url: page.url(), pids: childPids() });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, ...rest] = line.trim().split(' ');
    if (command === 'sample') {
      emit('sample', await sample(page));
    } else if (command === 'screenshot') {
      await page.screenshot({ path: rest.join(' '), timeout: 10000 });
      emit('screenshot', { path: rest.join(' ') });
    } else if (command === 'quit') {
      break;
    } else {
      emit('error', { message: `unknown command ${command}` });
    }
  }
} catch (e) {
  emit('error', { message: String(e?.message ?? e).split('\n')[0] });
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  emit('closed');
}
