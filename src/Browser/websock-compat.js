// websock-compat.js: the seed generation's Websock API (include/websock.js) for old pages, as a thin
// layer over the current Websock class. Classic script, no modules.
//
// Script order (both classic scripts):
//   <script src="websock.classic.js"></script>   defines globalThis.Websock = the class
//   <script src="websock-compat.js"></script>    keeps the class as globalThis.WebsockCore and
//                                                replaces globalThis.Websock with the old factory
//
// Usage as before: var ws = Websock();  (or new Websock())
//   ws.on('message', function () { while (ws.rQlen() >= 4) use(ws.rQshift32()); });
//   ws.open('ws://host:port/');  ws.send([1, 2, 3]);  ws.send_string('abc');
//
// Differences from the seed, on purpose: the queues live in the core's Uint8Arrays, so get_rQ() and
// get_sQ() return Uint8Array views (same indexes as the old arrays, but reading only; they are
// stale after the next message or send); reading past the queued bytes throws a RangeError instead
// of yielding undefined. The mode is taken from the negotiated subprotocol: 'base64' when the
// server chose base64, 'binary' otherwise (websockify speaks binary when no subprotocol is agreed);
// before a connection opens get_mode() answers the seed's default, 'base64'.
(function () {
  'use strict';

  // If this script runs twice, globalThis.Websock is already our factory: use the saved class.
  var Core = globalThis.WebsockCore ||
    (typeof globalThis.Websock === 'function' && globalThis.Websock.prototype &&
     typeof globalThis.Websock.prototype.rQshift8 === 'function' ? globalThis.Websock : null);
  if (!Core) {
    throw new Error('websock-compat.js: load websock.classic.js before it (no Websock class found)');
  }
  globalThis.WebsockCore = Core;

  var DEFAULT_PROTOCOLS = ['binary', 'base64'];

  function toArray(bytes) {
    return Array.prototype.slice.call(bytes);
  }

  function Websock() {
    var core = new Core();

    var api = {
      get_mode: function () { return core.readyState === 'unused' ? 'base64' : core.mode; },
      get_sQ: function () { return core._sQ.subarray(0, core._sQlen); },
      get_rQ: function () { return core._rQ.subarray(0, core._rQend); },
      get_rQi: function () { return core._rQi; },
      set_rQi: function (val) {
        if (!Number.isInteger(val) || val < 0 || val > core._rQend) {
          throw new RangeError('set_rQi: ' + val + ' is outside 0..' + core._rQend);
        }
        core._rQi = val;
      },

      rQlen: function () { return core.rQlen; },
      rQpeek8: function () { return core.rQpeek8(); },
      rQshift8: function () { return core.rQshift8(); },
      rQunshift8: function (num) { core._rQunshift8(num); },
      rQshift16: function () { return core.rQshift16(); },
      rQshift32: function () { return core.rQshift32(); },
      rQshiftStr: function (len) { return core.rQshiftStr(len === undefined ? core.rQlen : len); },
      // The old queue was an Array and so were its slices.
      rQshiftBytes: function (len) {
        return toArray(core.rQshiftBytes(len === undefined ? core.rQlen : len, false));
      },
      // start and end are relative to the read index; end omitted = to the end of the queue.
      rQslice: function (start, end) {
        var base = core._rQi;
        var stop = end === undefined ? core._rQend : Math.min(base + end, core._rQend);
        return toArray(core._rQ.subarray(Math.min(base + start, stop), stop));
      },
      rQwait: function (msg, num, goback) { return core.rQwait(msg, num, goback); },

      // The old flush answered whether the data could go now.
      flush: function () {
        if (core.readyState !== 'open') return false;
        core.flush();
        return true;
      },
      send: function (arr) {
        var bytes = new Uint8Array(arr.length);
        for (var i = 0; i < arr.length; i++) bytes[i] = arr[i] & 0xff;
        core.sQpushBytes(bytes);
        return api.flush();
      },
      send_string: function (str) {
        core.sQpushString(str);
        return api.flush();
      },

      // Events as before: 'open', 'message' (no argument), 'close', 'error'.
      on: function (evt, handler) { core.on(evt, handler); },

      // Empties the queues; returns the protocols to offer (the seed's default when none given).
      init: function (protocols) {
        core.init();
        return protocols && protocols.length ? protocols : DEFAULT_PROTOCOLS.slice();
      },
      open: function (uri, protocols) {
        protocols = api.init(protocols);
        core.open(uri, protocols);
      },
      close: function () { core.close(); },

      // The current API object, for code moving to it step by step.
      core: core,
    };
    return api;
  }

  globalThis.Websock = Websock;
})();
