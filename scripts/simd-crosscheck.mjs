// simd-crosscheck.mjs - runs the SIMD cases of scripts/gen-wasm-simd-tests.py
// (its --json output) in V8 and lists every case where V8 and the Python
// oracle disagree, so the oracle is checked by an independent engine.
//
//   python3 scripts/gen-wasm-simd-tests.py --json /tmp/simd.json
//   node scripts/simd-crosscheck.mjs /tmp/simd.json
//
// v128 cannot cross the JS boundary, so each case runs in a wrapper function
// that takes a v128 as four i32s (splat + replace_lane), floats as their bit
// patterns (reinterpret), and returns a v128 as four i32s (extract_lane).
// Exit status 1 when anything disagrees.
import { readFileSync } from "node:fs";

const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function uleb(x) {
	x = BigInt(x);
	const out = [];
	do {
		let b = Number(x & 0x7fn);
		x >>= 7n;
		if (x) b |= 0x80;
		out.push(b);
	} while (x);
	return out;
}
function sleb(x) {
	x = BigInt(x);
	const out = [];
	for (;;) {
		const b = Number(x & 0x7fn);
		x >>= 7n;
		if ((x === 0n && !(b & 0x40)) || (x === -1n && b & 0x40)) {
			out.push(b);
			return out;
		}
		out.push(b | 0x80);
	}
}
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const name = (s) => vec([...Buffer.from(s, "utf8")]);

// The JS-facing types of one wasm type.
const outer = (t) => (t === "v128" ? ["i32", "i32", "i32", "i32"] : t === "f32" ? ["i32"] : t === "f64" ? ["i64"] : [t]);

function instr(f) {
	const code = f.prefix ? [f.prefix, ...uleb(f.code)] : [f.code];
	if (f.lanes) return [...code, ...f.lanes];
	if (f.offset !== undefined) {
		const m = [...code, ...uleb(f.align), ...uleb(f.offset)];
		return f.lane !== undefined ? [...m, f.lane] : m;
	}
	if (f.lane !== undefined) return [...code, f.lane];
	return code;
}

function body(f) {
	const b = [];
	let local = 0;
	for (const t of f.params) {
		if (t === "v128") {
			b.push(0x20, local++, 0xfd, ...uleb(17));                 // i32x4.splat
			for (let j = 1; j < 4; j++) b.push(0x20, local++, 0xfd, ...uleb(28), j); // replace_lane
		} else {
			b.push(0x20, local++);
			if (t === "f32") b.push(0xbe);                             // f32.reinterpret_i32
			if (t === "f64") b.push(0xbf);                             // f64.reinterpret_i64
		}
	}
	b.push(...instr(f));
	let locals = [];
	if (f.results[0] === "v128") {
		const tmp = local;
		locals = [[1, T.v128]];
		b.push(0x21, tmp);
		for (let j = 0; j < 4; j++) b.push(0x20, tmp, 0xfd, ...uleb(27), j); // i32x4.extract_lane
	} else if (f.results[0] === "f32") b.push(0xbc);
	else if (f.results[0] === "f64") b.push(0xbd);
	const code = [...vec(locals), ...b, 0x0b];
	return [...uleb(code.length), ...code];
}

function build(m) {
	const types = m.funcs.map((f) => [0x60, ...vec(f.params.flatMap(outer).map((t) => [T[t]])),
		...vec(f.results.flatMap(outer).map((t) => [T[t]]))]);
	let bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
	bytes.push(...section(1, vec(types)));
	bytes.push(...section(3, vec(m.funcs.map((_, i) => uleb(i)))));
	if (m.memory !== null) bytes.push(...section(5, vec([[0, ...uleb(m.memory)]])));
	bytes.push(...section(7, vec(m.funcs.map((f, i) => [...name("f" + i), 0, ...uleb(i)]))));
	bytes.push(...section(10, vec(m.funcs.map(body))));
	if (m.data.length)
		bytes.push(...section(11, vec(m.data.map(([off, hex]) =>
			[0, 0x41, ...sleb(off), 0x0b, ...vec([...Buffer.from(hex, "hex")].map((x) => [x]))]))));
	return new Uint8Array(bytes);
}

function jsArgs(types, args) {
	const out = [];
	types.forEach((t, k) => {
		const x = BigInt(args[k]);
		if (t === "v128") for (let j = 0n; j < 4n; j++) out.push(Number(BigInt.asIntN(32, x >> (32n * j))));
		else if (t === "i32" || t === "f32") out.push(Number(BigInt.asIntN(32, x)));
		else out.push(BigInt.asIntN(64, x));
	});
	return out;
}

function isNan(bits, w, kind) {
	const mb = w === 32 ? 23n : 52n;
	const exp = ((1n << (BigInt(w) - 1n - mb)) - 1n) << mb;
	const mant = (1n << mb) - 1n, quiet = 1n << (mb - 1n);
	if ((bits & exp) !== exp || !(bits & mant)) return false;
	return kind === "nan:canonical" ? (bits & mant) === quiet : (bits & quiet) !== 0n;
}

// Compares one result; returns a description of the mismatch or null.
function compare(t, got, want) {
	if (t === "v128") {
		let v = 0n;
		got.forEach((x, j) => { v |= BigInt(x >>> 0) << (32n * BigInt(j)); });
		const w = BigInt(want.w), m = (1n << w) - 1n;
		for (let i = 0; i < want.lanes.length; i++) {
			const lane = (v >> (w * BigInt(i))) & m, e = want.lanes[i];
			const ok = e.startsWith("nan:") ? isNan(lane, want.w, e) : lane === BigInt(e);
			if (!ok) return `lane ${i}: got 0x${lane.toString(16)}, want ${e} (v128 0x${v.toString(16)})`;
		}
		return null;
	}
	const bits = typeof got === "bigint" ? BigInt.asUintN(64, got) : BigInt(got >>> 0);
	return bits === BigInt(want) ? null : `got 0x${bits.toString(16)}, want ${want}`;
}

function run(m) {
	const inst = new WebAssembly.Instance(new WebAssembly.Module(build(m)));
	const byName = new Map(m.funcs.map((f, i) => [f.name, [f, inst.exports["f" + i]]]));
	const bad = [];
	for (const s of m.steps) {
		const [f, fn] = byName.get(s.f);
		let res, trap = null;
		try {
			res = fn(...jsArgs(f.params, s.args));
		} catch (e) {
			if (!(e instanceof WebAssembly.RuntimeError)) throw e;
			trap = e.message;
		}
		let why = null;
		if (s.expect.trap) why = trap ? null : "returned, want trap " + s.expect.trap;
		else if (trap) why = "trapped: " + trap;
		else if (f.results.length) why = compare(f.results[0], res, s.expect.results[0]);
		if (why) bad.push(`${s.f} (${s.args.join(", ")}): ${why}`);
	}
	return bad;
}

const mods = JSON.parse(readFileSync(process.argv[2] || "/dev/stdin", "utf8"));
let cases = 0, disagree = 0;
const ops = new Set();
for (const m of mods) {
	const bad = run(m);
	cases += m.steps.length;
	m.funcs.forEach((f) => ops.add(f.op));
	disagree += bad.length;
	console.log(`${m.title}: ${m.steps.length} cases, ${bad.length} disagreements`);
	for (const b of bad.slice(0, 40)) console.log("  " + b);
	if (bad.length > 40) console.log(`  ... ${bad.length - 40} more`);
}
console.log(`V8 ${process.versions.v8}: ${cases} cases over ${ops.size} instructions, ${disagree} disagreements`);
process.exit(disagree ? 1 : 0);
