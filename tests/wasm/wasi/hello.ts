// hello.ts - an AssemblyScript program for WASI (built with asc and
// @assemblyscript/wasi-shim): argv, environment, classes, generics, maps,
// strings, floats, the clock, random bytes, stderr and the exit status.
class Point {
  constructor(public x: i32, public y: i32) {}
  norm2(): i32 { return this.x * this.x + this.y * this.y; }
}

function fib(n: i32): i64 {
  let a: i64 = 0, b: i64 = 1;
  for (let i = 0; i < n; i++) { const t = a + b; a = b; b = t; }
  return a;
}

const args = process.argv;
console.log("hello from AssemblyScript, argc=" + args.length.toString());
for (let i = 1; i < args.length; i++) console.log("arg " + i.toString() + ": " + args[i]);

const words = new Map<string, i32>();
const text = "to be or not to be";
const parts = text.split(" ");
for (let i = 0; i < parts.length; i++) {
  const w = parts[i];
  words.set(w, words.has(w) ? words.get(w) + 1 : 1);
}
console.log("words: to=" + words.get("to").toString() + " be=" + words.get("be").toString() + " distinct=" + words.size.toString());

const pts: Point[] = [];
for (let i = 0; i < 10; i++) pts.push(new Point(i, 10 - i));
pts.sort((a: Point, b: Point): i32 => a.norm2() - b.norm2());
console.log("closest " + pts[0].x.toString() + "," + pts[0].y.toString() + " fib(80)=" + fib(80).toString());
console.log("sqrt2=" + Math.sqrt(2).toString());

const env = process.env;
console.log("GREETING=" + (env.has("GREETING") ? env.get("GREETING") : "(unset)"));
console.log(Date.now() > 1600000000000 ? "clock ok" : "clock wrong");
const rnd = new Uint8Array(32);
crypto.getRandomValues(rnd);
let nonzero = 0;
for (let i = 0; i < rnd.length; i++) if (rnd[i] != 0) nonzero++;
console.log(nonzero > 20 ? "random ok" : "random wrong");
process.stderr.write("to stderr\n");
process.exit(args.length > 1 ? I32.parseInt(args[1]) : 0);
