// The old API (websock.classic.js + websock-compat.js) for websock.chromium.test.mjs. Classic script.
(function () {
  'use strict';
  function withTimeout(p, ms, what) {
    return Promise.race([p, new Promise(function (_, rej) {
      setTimeout(function () { rej(new Error('page: timed out after ' + ms + ' ms: ' + what)); }, ms);
    })]);
  }

  window.scenarios = {
    // The target sends 0xab, 0x8001, 0xdeadbeef, 'A\u00e9' split in two frames; then the page sends
    // [1, 2, 3] and 'x\u00ff' for the target to record.
    compat: function (url, protocols) {
      var ws = Websock(); // the factory, without new
      var r = { modeBefore: ws.get_mode(), hasCore: typeof WebsockCore === 'function' };
      var done = new Promise(function (resolve, reject) {
        ws.on('open', function () { r.mode = ws.get_mode(); });
        ws.on('close', function (e) { reject(new Error('closed early: ' + e.code)); });
        ws.on('message', function () {
          try {
            if (ws.rQwait('all', 9)) { r.waits = (r.waits || 0) + 1; return; }
            r.slice = ws.rQslice(0, 3);
            r.u8 = ws.rQshift8();
            r.u16 = ws.rQshift16();
            r.u32 = ws.rQshift32();
            r.str = ws.rQshiftStr(2);
            r.sent1 = ws.send([1, 2, 3]);
            r.sent2 = ws.send_string('x\u00ff');
            resolve();
          } catch (e) { reject(e); }
        });
      });
      ws.open(url, protocols);
      return withTimeout(done, 5000, 'compat scenario').then(function () {
        var closed = new Promise(function (res) { ws.on('close', res); });
        ws.close();
        return withTimeout(closed, 5000, 'close');
      }).then(function () { return r; });
    },
  };
  window.pageReady = true;
})();
