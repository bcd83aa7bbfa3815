// telnet.js byte by byte: what reaches the terminal, what is answered, what goes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Telnet, IAC, DO, DONT, WILL, WONT, SB, SE, ECHO, SGA, TTYPE, NAWS,
} from '../../../src/Browser/telnet.js';

function session(options = {}) {
  const sent = [];
  const telnet = new Telnet({ send: bytes => sent.push(...bytes), ...options });
  return { telnet, sent, take: () => sent.splice(0) };
}

test('data passes through and an escaped 255 is one data byte', () => {
  const { telnet, take } = session();
  assert.deepEqual([...telnet.receive(Uint8Array.of(0x68, 0x69, IAC, IAC, 0x0d, 0x0a))], [0x68, 0x69, 0xff, 0x0d, 0x0a]);
  assert.deepEqual(take(), []);
});

test('commands split across messages are still taken out of the data', () => {
  const { telnet, take } = session();
  assert.deepEqual([...telnet.receive(Uint8Array.of(0x61, IAC))], [0x61]);
  assert.deepEqual([...telnet.receive(Uint8Array.of(WILL))], []);
  assert.deepEqual([...telnet.receive(Uint8Array.of(ECHO, 0x62))], [0x62]);
  assert.deepEqual(take(), [IAC, DO, ECHO]);
  assert.equal(telnet.remoteEcho, true);
});

test('ECHO and SGA from the server are accepted once; a repeated WILL is not answered again', () => {
  const { telnet, take } = session();
  telnet.receive(Uint8Array.of(IAC, WILL, ECHO, IAC, WILL, SGA, IAC, WILL, ECHO));
  assert.deepEqual(take(), [IAC, DO, ECHO, IAC, DO, SGA]);
  telnet.receive(Uint8Array.of(IAC, WONT, ECHO, IAC, WONT, ECHO));
  assert.deepEqual(take(), [IAC, DONT, ECHO]);
  assert.equal(telnet.remoteEcho, false);
});

test('options we do not know are refused both ways', () => {
  const { telnet, take } = session();
  telnet.receive(Uint8Array.of(IAC, WILL, 34, IAC, DO, 39, IAC, DO, 32));
  assert.deepEqual(take(), [IAC, DONT, 34, IAC, WONT, 39, IAC, WONT, 32]);
  telnet.receive(Uint8Array.of(IAC, DONT, 39, IAC, WONT, 34)); // already off: nothing to say
  assert.deepEqual(take(), []);
});

test('terminal type is sent when asked, in its subnegotiation', () => {
  const { telnet, take } = session({ terminalType: 'xterm' });
  telnet.receive(Uint8Array.of(IAC, DO, TTYPE));
  assert.deepEqual(take(), [IAC, WILL, TTYPE]);
  const data = telnet.receive(Uint8Array.of(IAC, SB, TTYPE, 1, IAC, SE, 0x7a));
  assert.deepEqual([...data], [0x7a]);
  assert.deepEqual(take(), [IAC, SB, TTYPE, 0, ...Buffer.from('xterm'), IAC, SE]);
});

test('window size goes out on DO NAWS and again on resize, with 255 doubled', () => {
  const { telnet, take } = session({ cols: 80, rows: 24 });
  telnet.resize(100, 30); // not agreed yet: nothing sent
  assert.deepEqual(take(), []);
  telnet.receive(Uint8Array.of(IAC, DO, NAWS));
  assert.deepEqual(take(), [IAC, WILL, NAWS, IAC, SB, NAWS, 0, 100, 0, 30, IAC, SE]);
  telnet.resize(255, 511);
  assert.deepEqual(take(), [IAC, SB, NAWS, 0, IAC, IAC, 1, IAC, IAC, IAC, SE]);
  telnet.receive(Uint8Array.of(IAC, DONT, NAWS));
  assert.deepEqual(take(), [IAC, WONT, NAWS]);
  telnet.resize(80, 24);
  assert.deepEqual(take(), []);
});

test('an overlong subnegotiation is dropped without growing, and data after it is intact', () => {
  const { telnet, take } = session();
  const junk = new Uint8Array(100000).fill(7);
  const data = telnet.receive(Uint8Array.from([IAC, SB, 99, ...junk, IAC, SE, 0x41]));
  assert.deepEqual([...data], [0x41]);
  assert.ok(telnet._sb.length <= 256);
  assert.deepEqual(take(), []);
});

test('typed input is UTF-8, raw bytes get IAC doubled, and a bare CR goes as CR NUL', () => {
  const { telnet } = session();
  assert.deepEqual([...telnet.encodeInput('ab\r')], [0x61, 0x62, 0x0d, 0x00]);
  assert.deepEqual([...telnet.encodeInput('\r\n')], [0x0d, 0x0a]);
  assert.deepEqual([...telnet.encodeInput('é')], [0xc3, 0xa9]);
  assert.deepEqual([...telnet.encodeInput('\u00ff')], [0xc3, 0xbf]); // a character, not a raw 255
  assert.deepEqual([...telnet.escape(Uint8Array.of(0xff, 0x41, 0x0d, 0xff, 0x0d, 0x0a))],
    [0xff, 0xff, 0x41, 0x0d, 0x00, 0xff, 0xff, 0x0d, 0x0a]);
});

test('a Telnet needs somewhere to send', () => {
  assert.throws(() => new Telnet({}), /send/);
});
