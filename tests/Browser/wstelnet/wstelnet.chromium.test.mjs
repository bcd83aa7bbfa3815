// wstelnet.html as make build put it in build/www, in Debian's headless Chromium, against our daemon
// wrapping real inetutils telnetd in respawn mode (the README's one-shot socat form, with a shell
// instead of /bin/login so no password is needed). What is typed goes through websock.js, telnet.js,
// the daemon and telnetd; what the shell prints must come back on the terminal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { closeBrowser, daemonBinary, freePort, repoRoot, sleep } from '../websock/harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const TELNETD = '/usr/sbin/telnetd';
const www = path.join(repoRoot, 'build/www');
const shots = path.join(repoRoot, 'build/test-results');

let daemon, exited, output = '', browser, page, port;

async function httpStatus(url) {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

before(async () => {
  for (const [file, why] of [[path.join(www, 'wstelnet.html'), 'run make build'], [TELNETD, 'install inetutils-telnetd'], [CHROMIUM, 'install chromium']]) {
    assert.ok(existsSync(file), `${file} is missing: ${why}`);
  }
  port = await freePort();
  daemon = spawn(daemonBinary(), [
    `--web=${www}`, '--wrap-mode=respawn', `127.0.0.1:${port}`, '--',
    'socat', `TCP-LISTEN:${port},reuseaddr`, `EXEC:${TELNETD} -h -E /bin/sh`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout.on('data', d => { output += d; });
  daemon.stderr.on('data', d => { output += d; });
  daemon.once('exit', (code, signal) => { exited = { code, signal }; });
  const deadline = Date.now() + 15000;
  while ((await httpStatus(`http://127.0.0.1:${port}/wstelnet.html`)) !== 200) {
    assert.ok(!exited, `the daemon exited (${JSON.stringify(exited)}):\n${output}`);
    assert.ok(Date.now() < deadline, `the daemon did not serve wstelnet.html within 15 s:\n${output}`);
    await sleep(100);
  }

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  page.on('pageerror', e => { output += `\n[page error] ${e.message}`; });
});

after(async () => {
  await closeBrowser(browser);
  if (daemon && !exited) {
    daemon.kill('SIGTERM'); // by its PID; the daemon stops the wrapped socat and telnetd itself
    const gone = await Promise.race([new Promise(res => daemon.once('exit', () => res(true))), sleep(10000).then(() => false)]);
    if (!gone) daemon.kill('SIGKILL');
  }
});


const screen = () => page.evaluate(() => {
  const buffer = window.wstelnet.term.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join('\n');
});

async function waitFor(what, check, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      assert.fail(`timed out after ${ms} ms waiting for ${what}; status: ${await page.textContent('#status')}\nscreen:\n${await screen()}\ndaemon:\n${output}`);
    }
    await sleep(100);
  }
}

const statusIs = prefix => async () => (await page.textContent('#status')).startsWith(prefix);

test('typed text goes through telnetd and the shell, and what it prints comes back; terminal type and size were negotiated', async () => {
  await page.goto(`http://127.0.0.1:${port}/wstelnet.html?host=127.0.0.1&port=${port}&autoconnect=1`);
  await waitFor('the connection', statusIs('Connected'));
  await page.click('#terminal');
  const mark = randomBytes(6).toString('hex');
  // The shell expands $TERM (our TTYPE answer) and stty reads the window size (our NAWS): neither is
  // on the command line itself, so only the shell's output can show "<mark>-xterm" and "24 80".
  await page.keyboard.type(`echo ${mark}-$TERM-$(stty size | tr ' ' x)\r`);
  await waitFor(`"${mark}-xterm-24x80" on the terminal`, async () => (await screen()).includes(`${mark}-xterm-24x80`));
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'wstelnet.png') });
});

test('a second session works after the first one ended (respawn mode)', async () => {
  await page.click('#disconnect');
  await waitFor('the end of the first session', statusIs('Disconnected'));
  await page.click('#connect');
  await waitFor('the second connection', statusIs('Connected'));
  await page.click('#terminal');
  const mark = randomBytes(6).toString('hex');
  await page.keyboard.type(`echo second-$((0x${mark.slice(0, 4)}))\r`);
  const expected = `second-${parseInt(mark.slice(0, 4), 16)}`;
  await waitFor(`"${expected}" on the terminal`, async () => (await screen()).includes(expected));
  // socat served one connection and exited; the daemon started it again for this one.
  assert.ok((output.match(/Starting 'socat /g) || []).length >= 2, `socat was not respawned:\n${output}`);
});
