// instantiate.js FILE.wasm - node's (V8's) figures for the module that
// bench/wasm/instantiate.c generates: compile, instantiate, first call, RSS.
// The peer for docs/PERFORMANCE.md; same measurements, same machine.  V8
// compiles lazily by default (validation only up front); run with
// --no-wasm-lazy-compilation to compile everything as cairn does.
'use strict';
const fs = require('fs');
const bytes = fs.readFileSync(process.argv[2]);
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const rss0 = process.memoryUsage().rss;
let t = process.hrtime.bigint();
const mod = new WebAssembly.Module(bytes);
let tCompile = ms(t);
const rssModule = process.memoryUsage().rss;
t = process.hrtime.bigint();
const inst = new WebAssembly.Instance(mod, {});
const tInst = ms(t);
const rssInst = process.memoryUsage().rss;
const names = Object.keys(inst.exports).filter((n) => n !== 'memory');
t = process.hrtime.bigint();
inst.exports[names[names.length - 1]](1, 2);
const tCall = ms(t);
const peak = process.resourceUsage().maxRSS; // one module, one instance
for (let i = 0; i < 4; i++) { // best of 5, as the C side
	const copy = Buffer.from(bytes);
	copy[copy.length - 1] ^= i + 1; // a data byte: V8 would reuse an identical module
	t = process.hrtime.bigint();
	new WebAssembly.Module(copy);
	tCompile = Math.min(tCompile, ms(t));
}
const reps = 50;
t = process.hrtime.bigint();
for (let i = 0; i < reps; i++) new WebAssembly.Instance(mod, {});
const tMore = ms(t) / reps;
const kb = (b) => Math.round(b / 1024);
console.log(`node ${process.version}: ${bytes.length} bytes`);
console.log(`compile (best of 5): ${tCompile.toFixed(1)} ms`);
console.log(`instantiate (first): ${tInst.toFixed(2)} ms`);
console.log(`instantiate (average of ${reps} more): ${tMore.toFixed(2)} ms`);
console.log(`first call: ${tCall.toFixed(3)} ms`);
console.log(`RSS: before ${kb(rss0)} KiB, module compiled +${kb(rssModule - rss0)} KiB, ` +
	    `instantiated +${kb(rssInst - rssModule)} KiB, peak ${peak} KiB`);
