#!/usr/bin/env python3
"""gen-wasm-op-tests.py - writes tests/wasm/ops_*.wast: every scalar numeric
WebAssembly instruction run over edge-case operands, with expected results
computed here in Python (an oracle independent of the C engine).

    python3 scripts/gen-wasm-op-tests.py        # rewrites tests/wasm/ops_*.wast
"""
import math
import os
import struct
from fractions import Fraction

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "wasm")

I32 = [0, 1, 2, 7, 31, 32, 33, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x12345678, 0x80000001]
I64 = [0, 1, 2, 63, 64, 65, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF,
       0x123456789ABCDEF0, 0xFFFFFFFF, 0x100000000, 0x8000000000000001]


def f32_round(x):
    """Nearest f32 (ties to even) of a Python float, as a float."""
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


F32 = [0.0, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, 3.75, -7.125, 1e30, -1e-30, math.inf, -math.inf,
       f32_round(3.4028234663852886e38), struct.unpack("<f", struct.pack("<I", 1))[0], 123456.789]
F32 = [f32_round(v) for v in F32]
F64 = [0.0, -0.0, 1.0, -1.0, 0.5, -1.5, 2.5, 3.75, -7.125, 1e300, -1e-300, math.inf, -math.inf,
       1.7976931348623157e308, 5e-324, 4503599627370497.5]


def s32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


def s64(v):
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >> 63 else v


def lit_int(v, bits):
    return str(s32(v) if bits == 32 else s64(v))


def lit_float(x, bits):
    if math.isnan(x):
        raise ValueError
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    return x.hex()


def round_to(fr, bits):
    """Correctly rounded (ties to even) binary float of an exact Fraction."""
    if fr == 0:
        return 0.0
    mant, emin, emax = (24, -149, 127) if bits == 32 else (53, -1074, 1023)
    sign = -1 if fr < 0 else 1
    a = abs(fr)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    q = max(e - mant + 1, emin)
    scaled = a / (Fraction(2) ** q)
    n = scaled.numerator // scaled.denominator
    rem = scaled - n
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and n & 1):
        n += 1
    val = Fraction(n) * Fraction(2) ** q
    if val >= Fraction(2) ** (emax + 1):
        return sign * math.inf
    return sign * float(val)


# ---- integer semantics ----

def int_ops(bits):
    m = (1 << bits) - 1
    s = s32 if bits == 32 else s64
    def div_s(a, b):
        if b == 0:
            return "integer divide by zero"
        if s(a) == -(1 << (bits - 1)) and s(b) == -1:
            return "integer overflow"
        q = abs(s(a)) // abs(s(b))
        return (q if (s(a) < 0) == (s(b) < 0) else -q) & m
    def rem_s(a, b):
        if b == 0:
            return "integer divide by zero"
        r = abs(s(a)) % abs(s(b))
        return (-r if s(a) < 0 else r) & m
    def rot(a, b, left):
        b %= bits
        if not left:
            b = (bits - b) % bits
        return ((a << b) | (a >> (bits - b))) & m if b else a
    def clz(a):
        return bits - a.bit_length()
    def ctz(a):
        return bits if a == 0 else (a & -a).bit_length() - 1
    def ext(n):
        return lambda a: (a & ((1 << n) - 1)) - ((a & (1 << (n - 1))) << 1) & m
    bin_ = {
        "add": lambda a, b: (a + b) & m, "sub": lambda a, b: (a - b) & m,
        "mul": lambda a, b: (a * b) & m, "div_s": div_s,
        "div_u": lambda a, b: "integer divide by zero" if b == 0 else a // b,
        "rem_s": rem_s, "rem_u": lambda a, b: "integer divide by zero" if b == 0 else a % b,
        "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b,
        "shl": lambda a, b: (a << (b % bits)) & m, "shr_u": lambda a, b: a >> (b % bits),
        "shr_s": lambda a, b: (s(a) >> (b % bits)) & m,
        "rotl": lambda a, b: rot(a, b, True), "rotr": lambda a, b: rot(a, b, False),
    }
    cmp = {
        "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
        "lt_s": lambda a, b: s(a) < s(b), "lt_u": lambda a, b: a < b,
        "gt_s": lambda a, b: s(a) > s(b), "gt_u": lambda a, b: a > b,
        "le_s": lambda a, b: s(a) <= s(b), "le_u": lambda a, b: a <= b,
        "ge_s": lambda a, b: s(a) >= s(b), "ge_u": lambda a, b: a >= b,
    }
    un = {"clz": clz, "ctz": ctz, "popcnt": lambda a: bin(a).count("1"),
          "extend8_s": ext(8), "extend16_s": ext(16)}
    if bits == 64:
        un["extend32_s"] = ext(32)
    return bin_, cmp, un


def gen_int(bits):
    t = "i%d" % bits
    vals = I32 if bits == 32 else I64
    bin_, cmp, un = int_ops(bits)
    funcs, asserts = [], []
    for name, fn in bin_.items():
        funcs.append('  (func (export "%s.%s") (param %s %s) (result %s) (%s.%s (local.get 0) (local.get 1)))'
                     % (t, name, t, t, t, t, name))
        for a in vals:
            for b in vals:
                r = fn(a, b)
                call = '(invoke "%s.%s" (%s.const %s) (%s.const %s))' % (t, name, t, lit_int(a, bits), t, lit_int(b, bits))
                if isinstance(r, str):
                    asserts.append('(assert_trap %s "%s")' % (call, r))
                else:
                    asserts.append("(assert_return %s (%s.const %s))" % (call, t, lit_int(r, bits)))
    for name, fn in cmp.items():
        funcs.append('  (func (export "%s.%s") (param %s %s) (result i32) (%s.%s (local.get 0) (local.get 1)))'
                     % (t, name, t, t, t, name))
        for a in vals:
            for b in vals:
                asserts.append('(assert_return (invoke "%s.%s" (%s.const %s) (%s.const %s)) (i32.const %d))'
                               % (t, name, t, lit_int(a, bits), t, lit_int(b, bits), int(fn(a, b))))
    funcs.append('  (func (export "%s.eqz") (param %s) (result i32) (%s.eqz (local.get 0)))' % (t, t, t))
    for a in vals:
        asserts.append('(assert_return (invoke "%s.eqz" (%s.const %s)) (i32.const %d))' % (t, t, lit_int(a, bits), int(a == 0)))
    for name, fn in un.items():
        funcs.append('  (func (export "%s.%s") (param %s) (result %s) (%s.%s (local.get 0)))' % (t, name, t, t, t, name))
        for a in vals:
            asserts.append('(assert_return (invoke "%s.%s" (%s.const %s)) (%s.const %s))'
                           % (t, name, t, lit_int(a, bits), t, lit_int(fn(a), bits)))
    return funcs, asserts


# ---- float semantics ----

def fexpect(x, bits, nan_kind="nan:canonical"):
    t = "f%d" % bits
    if math.isnan(x):
        return "(%s.const %s)" % (t, nan_kind)
    return "(%s.const %s)" % (t, lit_float(x, bits))


def fround(x, bits):
    return f32_round(x) if bits == 32 else x


def exact_op(a, b, op, bits):
    """IEEE result of a op b rounded to the format (via exact arithmetic)."""
    if math.isnan(a) or math.isnan(b):
        return math.nan
    try:
        if op == "add":
            r = a + b
        elif op == "sub":
            r = a - b
        elif op == "mul":
            r = a * b
        else:
            r = a / b
    except ZeroDivisionError:
        if a == 0:
            return math.nan
        neg = (math.copysign(1, a) < 0) != (math.copysign(1, b) < 0)
        return -math.inf if neg else math.inf
    except OverflowError:
        r = math.inf
    if math.isinf(a) or math.isinf(b) or math.isnan(r):
        return r
    if r == 0 and bits == 32:
        return r
    if bits == 32:
        fa, fb = Fraction(a), Fraction(b)
        ex = {"add": fa + fb, "sub": fa - fb, "mul": fa * fb, "div": fa / fb if fb else None}[op]
        if ex == 0:
            return r
        return round_to(ex, 32)
    return r


def fmin(a, b, is_min):
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        neg = math.copysign(1, a) < 0 or math.copysign(1, b) < 0 if is_min else \
            math.copysign(1, a) < 0 and math.copysign(1, b) < 0
        return -0.0 if neg else 0.0
    return min(a, b) if is_min else max(a, b)


def nearest(x):
    if math.isinf(x) or x == 0:
        return x
    r = float(round(x))
    if r == 0:
        return math.copysign(0.0, x)
    return r


def fsqrt(x, bits):
    if x < 0:
        return math.nan
    if math.isinf(x) or x == 0:
        return x
    if bits == 32:
        return f32_round(math.sqrt(x))
    return math.sqrt(x)


def frint(fn, x):
    if math.isinf(x) or x == 0:
        return x
    r = float(fn(x))
    return math.copysign(0.0, x) if r == 0 else r


def gen_float(bits):
    t = "f%d" % bits
    vals = F32 if bits == 32 else F64
    funcs, asserts = [], []
    for op in ["add", "sub", "mul", "div"]:
        funcs.append('  (func (export "%s.%s") (param %s %s) (result %s) (%s.%s (local.get 0) (local.get 1)))'
                     % (t, op, t, t, t, t, op))
        for a in vals:
            for b in vals:
                asserts.append('(assert_return (invoke "%s.%s" (%s.const %s) (%s.const %s)) %s)'
                               % (t, op, t, lit_float(a, bits), t, lit_float(b, bits), fexpect(exact_op(a, b, op, bits), bits)))
    for op, fn in [("min", lambda a, b: fmin(a, b, True)), ("max", lambda a, b: fmin(a, b, False)),
                   ("copysign", lambda a, b: math.copysign(a, b))]:
        funcs.append('  (func (export "%s.%s") (param %s %s) (result %s) (%s.%s (local.get 0) (local.get 1)))'
                     % (t, op, t, t, t, t, op))
        for a in vals:
            for b in vals:
                asserts.append('(assert_return (invoke "%s.%s" (%s.const %s) (%s.const %s)) %s)'
                               % (t, op, t, lit_float(a, bits), t, lit_float(b, bits), fexpect(fn(a, b), bits)))
    for op, fn in [("eq", lambda a, b: a == b), ("ne", lambda a, b: a != b), ("lt", lambda a, b: a < b),
                   ("gt", lambda a, b: a > b), ("le", lambda a, b: a <= b), ("ge", lambda a, b: a >= b)]:
        funcs.append('  (func (export "%s.%s") (param %s %s) (result i32) (%s.%s (local.get 0) (local.get 1)))'
                     % (t, op, t, t, t, op))
        for a in vals:
            for b in vals:
                asserts.append('(assert_return (invoke "%s.%s" (%s.const %s) (%s.const %s)) (i32.const %d))'
                               % (t, op, t, lit_float(a, bits), t, lit_float(b, bits), int(fn(a, b))))
    unary = [("abs", abs), ("neg", lambda x: -x), ("sqrt", lambda x: fsqrt(x, bits)),
             ("ceil", lambda x: frint(math.ceil, x)), ("floor", lambda x: frint(math.floor, x)),
             ("trunc", lambda x: frint(math.trunc, x)), ("nearest", nearest)]
    for op, fn in unary:
        funcs.append('  (func (export "%s.%s") (param %s) (result %s) (%s.%s (local.get 0)))' % (t, op, t, t, t, op))
        for a in vals:
            asserts.append('(assert_return (invoke "%s.%s" (%s.const %s)) %s)'
                           % (t, op, t, lit_float(a, bits), fexpect(fn(a), bits)))
    # NaN operands: arithmetic NaN out, sign-only ops keep the payload
    nan = "nan:0x200000" if bits == 32 else "nan:0x4000000000000"
    for op in ["add", "min", "max"]:
        asserts.append('(assert_return (invoke "%s.%s" (%s.const %s) (%s.const 1)) (%s.const nan:arithmetic))'
                       % (t, op, t, nan, t, t))
    asserts.append('(assert_return (invoke "%s.neg" (%s.const %s)) (%s.const -%s))' % (t, t, nan, t, nan))
    asserts.append('(assert_return (invoke "%s.abs" (%s.const -%s)) (%s.const %s))' % (t, t, nan, t, nan))
    for op in ["ceil", "floor", "trunc", "nearest", "sqrt"]:
        asserts.append('(assert_return (invoke "%s.%s" (%s.const %s)) (%s.const nan:arithmetic))' % (t, op, t, nan, t))
    return funcs, asserts


# ---- conversions ----

def gen_conv():
    funcs, asserts = [], []
    def fn(name, p, r):
        funcs.append('  (func (export "%s") (param %s) (result %s) (%s (local.get 0)))' % (name, p, r, name))
    fn("i32.wrap_i64", "i64", "i32")
    for a in I64:
        asserts.append('(assert_return (invoke "i32.wrap_i64" (i64.const %s)) (i32.const %s))' % (lit_int(a, 64), lit_int(a, 32)))
    for sx in ["s", "u"]:
        fn("i64.extend_i32_" + sx, "i32", "i64")
        for a in I32:
            r = s32(a) if sx == "s" else a
            asserts.append('(assert_return (invoke "i64.extend_i32_%s" (i32.const %s)) (i64.const %s))'
                           % (sx, lit_int(a, 32), lit_int(r & (2**64 - 1), 64)))
    for ib in [32, 64]:
        for fb in [32, 64]:
            vals = F32 if fb == 32 else F64
            for sx in ["s", "u"]:
                lo, hi = (-(1 << (ib - 1)), (1 << (ib - 1)) - 1) if sx == "s" else (0, (1 << ib) - 1)
                for sat in ["", "_sat"]:
                    name = "i%d.trunc%s_f%d_%s" % (ib, sat, fb, sx)
                    fn(name, "f%d" % fb, "i%d" % ib)
                    for x in vals:
                        call = '(invoke "%s" (f%d.const %s))' % (name, fb, lit_float(x, fb))
                        in_range = not math.isinf(x) and lo <= math.trunc(x) <= hi
                        if not in_range:
                            if sat:
                                r = lo if x < 0 else hi
                                asserts.append("(assert_return %s (i%d.const %s))" % (call, ib, lit_int(r & ((1 << ib) - 1), ib)))
                            else:
                                asserts.append('(assert_trap %s "integer overflow")' % call)
                        else:
                            r = math.trunc(x)
                            asserts.append("(assert_return %s (i%d.const %s))" % (call, ib, lit_int(r & ((1 << ib) - 1), ib)))
                    nan = "(f%d.const nan)" % fb
                    if sat:
                        asserts.append('(assert_return (invoke "%s" %s) (i%d.const 0))' % (name, nan, ib))
                    else:
                        asserts.append('(assert_trap (invoke "%s" %s) "invalid conversion to integer")' % (name, nan))
            for sx in ["s", "u"]:
                name = "f%d.convert_i%d_%s" % (fb, ib, sx)
                fn(name, "i%d" % ib, "f%d" % fb)
                for a in (I32 if ib == 32 else I64) + ([0xFFFFFFFFFFFFFBFF, 0x20000000000001] if ib == 64 else [0x7FFFFFBF, 0x1000001]):
                    v = (s32(a) if ib == 32 else s64(a)) if sx == "s" else a
                    r = round_to(Fraction(v), fb)
                    asserts.append('(assert_return (invoke "%s" (i%d.const %s)) (f%d.const %s))'
                                   % (name, ib, lit_int(a, ib), fb, lit_float(r, fb)))
    fn("f32.demote_f64", "f64", "f32")
    for x in F64 + [float.fromhex("0x1.fffffefffffffp-127"), float.fromhex("0x1.000001p0"), 3.4028235677973366e38]:
        r = x if math.isinf(x) else round_to(Fraction(x), 32) if x != 0 else x
        asserts.append('(assert_return (invoke "f32.demote_f64" (f64.const %s)) (f32.const %s))' % (lit_float(x, 64), lit_float(r, 32)))
    fn("f64.promote_f32", "f32", "f64")
    for x in F32:
        asserts.append('(assert_return (invoke "f64.promote_f32" (f32.const %s)) (f64.const %s))' % (lit_float(x, 32), lit_float(x, 64)))
    asserts.append('(assert_return (invoke "f64.promote_f32" (f32.const nan)) (f64.const nan:canonical))')
    asserts.append('(assert_return (invoke "f32.demote_f64" (f64.const nan)) (f32.const nan:canonical))')
    for (name, p, r) in [("i32.reinterpret_f32", "f32", "i32"), ("i64.reinterpret_f64", "f64", "i64"),
                         ("f32.reinterpret_i32", "i32", "f32"), ("f64.reinterpret_i64", "i64", "f64")]:
        fn(name, p, r)
    for x in F32:
        asserts.append('(assert_return (invoke "i32.reinterpret_f32" (f32.const %s)) (i32.const %s))' % (lit_float(x, 32), lit_int(f32_bits(x), 32)))
        asserts.append('(assert_return (invoke "f32.reinterpret_i32" (i32.const %s)) (f32.const %s))' % (lit_int(f32_bits(x), 32), lit_float(x, 32)))
    for x in F64:
        asserts.append('(assert_return (invoke "i64.reinterpret_f64" (f64.const %s)) (i64.const %s))' % (lit_float(x, 64), lit_int(f64_bits(x), 64)))
        asserts.append('(assert_return (invoke "f64.reinterpret_i64" (i64.const %s)) (f64.const %s))' % (lit_int(f64_bits(x), 64), lit_float(x, 64)))
    asserts.append('(assert_return (invoke "f32.reinterpret_i32" (i32.const 0x7fa00001)) (f32.const nan:0x200001))')
    return funcs, asserts


def write(name, title, parts):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write(";; %s - generated by scripts/gen-wasm-op-tests.py (do not edit):\n" % name)
        f.write(";; %s, expected values computed by an\n;; independent Python model of the spec.\n\n" % title)
        for funcs, asserts in parts:
            f.write("(module\n" + "\n".join(funcs) + "\n)\n")
            f.write("\n".join(asserts) + "\n\n")


if __name__ == "__main__":
    write("ops_int.wast", "every i32/i64 operator over edge-case operands", [gen_int(32), gen_int(64)])
    write("ops_float.wast", "every f32/f64 operator over edge-case operands", [gen_float(32), gen_float(64)])
    write("ops_conv.wast", "every scalar conversion, truncation and reinterpretation", [gen_conv()])
