// Builds the classic-script form of websock.js (for pages without modules, and for
// websock-compat.js):   node build-classic.mjs websock.js websock.classic.js
// The module has no imports and exactly two exports (`export default class Websock` and
// `export { Websock };`): they are rewritten, the source is wrapped in an IIFE so its constants stay
// private, and the class becomes globalThis.Websock. Anything else that looks like a module
// statement fails the build rather than producing a script that breaks at load time.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node build-classic.mjs IN OUT');
  process.exit(2);
}

let src = readFileSync(input, 'utf8');
const fail = msg => { console.error(`build-classic: ${input}: ${msg}`); process.exit(1); };

const count = (re) => (src.match(re) || []).length;
if (count(/^export default class Websock\b/gm) !== 1) fail('expected one "export default class Websock"');
src = src.replace(/^export default class Websock\b/m, 'class Websock');
src = src.replace(/^export \{ Websock \};\s*$/m, '');
const leftover = src.match(/^\s*(import|export)\b.*$/m);
if (leftover) fail(`module statement left: ${leftover[0].trim()}`);

const out = `// Generated from ${input.split('/').pop()} by build-classic.mjs: do not edit.
// Classic script: defines globalThis.Websock (the class).
(function () {
'use strict';
${src.trimEnd()}

globalThis.Websock = Websock;
})();
`;
writeFileSync(output, out);
