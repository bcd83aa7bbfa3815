// wstelnet: a telnet client in the browser. The bytes travel through websockify (websock.js), the
// telnet protocol is telnet.js, the screen is xterm.js. Settings come from the form, which the
// query string fills like noVNC's: host, port, encrypt, path (default "websockify"), token,
// cols, rows, autoconnect=1.
import Websock from './websock.js';
import { Telnet } from './telnet.js';
import { Terminal } from './vendor/xterm/xterm.mjs';

const $ = id => document.getElementById(id);
const params = new URLSearchParams(window.location.search);

function setting(name, fallback) {
  const value = params.get(name);
  return value === null || value === '' ? fallback : value;
}

function size(name, fallback, max) {
  const n = Number.parseInt(setting(name, ''), 10);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
}

$('host').value = setting('host', window.location.hostname);
$('port').value = setting('port', window.location.port || (window.location.protocol === 'https:' ? '443' : '80'));
$('path').value = setting('path', 'websockify');
$('token').value = setting('token', '');
$('encrypt').checked = ['1', 'true', 'yes'].includes(setting('encrypt', window.location.protocol === 'https:' ? '1' : '0'));

const term = new Terminal({ cols: size('cols', 80, 500), rows: size('rows', 24, 200), convertEol: false, scrollback: 1000 });
term.open($('terminal'));

let ws = null;
let telnet = null;

// Text from the server or from a person: textContent only, never markup.
function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function uri() {
  const scheme = $('encrypt').checked ? 'wss' : 'ws';
  let host = $('host').value.trim();
  if (host.includes(':') && !host.startsWith('[')) {
    host = `[${host}]`; // an IPv6 address
  }
  const path = $('path').value.trim().replace(/^\/+/, '');
  const token = $('token').value.trim();
  const query = token ? `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${host}:${$('port').value.trim()}/${path}${query}`;
}

function connected(isConnected) {
  $('connect').disabled = isConnected;
  $('disconnect').disabled = !isConnected;
}

function connect() {
  disconnect();
  const target = uri();
  ws = new Websock();
  telnet = new Telnet({
    send: bytes => { ws.sQpushBytes(bytes); ws.flush(); },
    terminalType: 'xterm',
    cols: term.cols,
    rows: term.rows,
  });
  ws.on('open', () => {
    status(`Connected to ${target}`);
    connected(true);
    term.focus();
  });
  ws.on('message', () => {
    const data = telnet.receive(ws.rQshiftBytes(ws.rQlen, false));
    if (data.length > 0) {
      term.write(data);
    }
  });
  ws.on('close', e => {
    status(`Disconnected${e && e.code ? ` (code ${e.code}${e.reason ? `: ${e.reason}` : ''})` : ''}`, e && e.code !== 1000);
    connected(false);
  });
  ws.on('error', e => status(`Error: ${e && e.message ? e.message : 'connection failed'}`, true));
  status(`Connecting to ${target} ...`);
  try {
    // websockify's subprotocol for binary data; a daemon that offers none is fine too.
    ws.open(target, ['binary']);
  } catch (err) {
    status(`Cannot connect: ${err.message}`, true);
    ws = null;
  }
}

function disconnect() {
  if (ws) {
    ws.close();
    ws = null;
  }
}

term.onData(text => {
  if (!ws || ws.readyState !== 'open') {
    return;
  }
  if (!telnet.remoteEcho) {
    term.write(text.replace(/\r/g, '\r\n')); // the server does not echo: show what was typed
  }
  ws.sQpushBytes(telnet.encodeInput(text));
  ws.flush();
});
term.onResize(({ cols, rows }) => telnet && telnet.resize(cols, rows));

$('connection').addEventListener('submit', e => { e.preventDefault(); connect(); });
$('disconnect').addEventListener('click', disconnect);

// For people at the console and for the tests: the terminal and the connection.
window.wstelnet = { term, connect, disconnect, get websock() { return ws; } };

if (['1', 'true', 'yes'].includes(setting('autoconnect', '0'))) {
  connect();
}
