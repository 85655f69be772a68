#!/usr/bin/env python3
"""gen-wasm-simd-tests.py - writes tests/wasm/simd_*.wast: every fixed-width
SIMD (v128) instruction of WebAssembly 2.0 run over edge-case lanes, with
expected results computed here by an independent model of the spec (exact
rational arithmetic for floats, no numpy, no use of cairn's tables).

    python3 scripts/gen-wasm-simd-tests.py                  # rewrites tests/wasm/simd_*.wast
    python3 scripts/gen-wasm-simd-tests.py --json F.json    # also the cases as JSON for
    node scripts/simd-crosscheck.mjs F.json                 # ... checking the oracle against V8
    python3 scripts/gen-wasm-simd-tests.py --out DIR        # writes the scripts into DIR instead
"""
import json
import math
import os
import random
import sys
from fractions import Fraction

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "wasm")
CANON, ARITH = "nan:canonical", "nan:arithmetic"


class Trap(Exception):
    pass


# ---------------------------------------------------------------- lanes

def mask(w):
    return (1 << w) - 1


def sx(x, w):
    x &= mask(w)
    return x - (1 << w) if x >> (w - 1) else x


def lanes(v, w):
    return [(v >> (i * w)) & mask(w) for i in range(128 // w)]


def join(ls, w):
    v = 0
    for i, x in enumerate(ls):
        v |= (x & mask(w)) << (i * w)
    return v


def sat(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


# ------------------------------------------------- IEEE 754 on bit patterns

class Fmt:
    def __init__(self, bits, ebits, mbits):
        self.bits, self.mbits = bits, mbits
        self.bias = (1 << (ebits - 1)) - 1
        self.emask = (1 << ebits) - 1
        self.sign = 1 << (bits - 1)
        self.quiet = 1 << (mbits - 1)
        self.mmask = (1 << mbits) - 1
        self.inf = self.emask << mbits
        self.canon = self.inf | self.quiet
        self.max = self.inf - 1
        self.name = "f%d" % bits


F32, F64 = Fmt(32, 8, 23), Fmt(64, 11, 52)


def is_nan(F, b):
    return (b & ~F.sign) > F.inf


def is_inf(F, b):
    return (b & ~F.sign) == F.inf


def is_zero(F, b):
    return (b & ~F.sign) == 0


def is_neg(F, b):
    return b & F.sign != 0


def value(F, b):
    """Exact value of a finite pattern as a Fraction (-0 gives 0)."""
    e, m = (b >> F.mbits) & F.emask, b & F.mmask
    if e:
        m |= 1 << F.mbits
    v = Fraction(m) * Fraction(2) ** (max(e, 1) - F.bias - F.mbits)
    return -v if is_neg(F, b) else v


def order(F, b):
    """Ordering key for a non-NaN pattern (infinities included)."""
    if is_inf(F, b):
        return -math.inf if is_neg(F, b) else math.inf
    return value(F, b)


def encode(F, v, neg=False):
    """Nearest pattern to the exact rational v, ties to even; 0 keeps `neg`."""
    if v == 0:
        return F.sign if neg else 0
    sign = F.sign if v < 0 else 0
    a = abs(v)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    q = max(e, 1 - F.bias) - F.mbits          # exponent of the last kept bit
    s = a / Fraction(2) ** q
    n, rem = divmod(s.numerator, s.denominator)
    if 2 * rem > s.denominator or (2 * rem == s.denominator and n & 1):
        n += 1
    if n == 0:
        return sign
    if n >> (F.mbits + 1):
        n >>= 1
        q += 1
    if n < 1 << F.mbits:                        # subnormal
        return sign | n
    e = q + F.mbits
    if e > F.bias:
        return sign | F.inf
    return sign | ((e + F.bias) << F.mbits) | (n & F.mmask)


def nans(F, *ops):
    """The spec's nans{z*}: canonical unless some operand is a non-canonical NaN."""
    for b in ops:
        if is_nan(F, b) and (b & F.mmask) != F.quiet:
            return ARITH
    return CANON


def fadd(F, a, b):
    if is_nan(F, a) or is_nan(F, b):
        return nans(F, a, b)
    if is_inf(F, a) and is_inf(F, b):
        return a if a == b else CANON
    if is_inf(F, a) or is_inf(F, b):
        return a if is_inf(F, a) else b
    s = value(F, a) + value(F, b)
    if s == 0:   # exact zero: -0 only for (-0) + (-0) under round-to-nearest
        return F.sign if is_zero(F, a) and is_zero(F, b) and is_neg(F, a) and is_neg(F, b) else 0
    return encode(F, s)


def fsub(F, a, b):
    return fadd(F, a, b ^ F.sign)


def fmul(F, a, b):
    if is_nan(F, a) or is_nan(F, b):
        return nans(F, a, b)
    sign = (a ^ b) & F.sign
    if is_inf(F, a) or is_inf(F, b):
        return CANON if is_zero(F, a) or is_zero(F, b) else sign | F.inf
    return encode(F, value(F, a) * value(F, b), sign != 0)


def fdiv(F, a, b):
    if is_nan(F, a) or is_nan(F, b):
        return nans(F, a, b)
    sign = (a ^ b) & F.sign
    if is_inf(F, a):
        return CANON if is_inf(F, b) else sign | F.inf
    if is_inf(F, b):
        return sign
    if is_zero(F, b):
        return CANON if is_zero(F, a) else sign | F.inf
    return encode(F, value(F, a) / value(F, b), sign != 0)


def fsqrt(F, a):
    if is_nan(F, a):
        return nans(F, a)
    if is_zero(F, a) or a == F.inf:
        return a
    if is_neg(F, a):
        return CANON
    v = value(F, a)
    k = F.mbits + 8 - (v.numerator.bit_length() - v.denominator.bit_length()) // 2
    x = v * Fraction(4) ** k                    # sqrt(v) = sqrt(x) / 2^k
    r = math.isqrt(x.numerator // x.denominator)
    exact = r * r == x
    return encode(F, Fraction(2 * r + (0 if exact else 1), 2) / Fraction(2) ** k)


def fminmax(F, a, b, is_min):
    if is_nan(F, a) or is_nan(F, b):
        return nans(F, a, b)
    if is_zero(F, a) and is_zero(F, b):
        negs = (is_neg(F, a) or is_neg(F, b)) if is_min else (is_neg(F, a) and is_neg(F, b))
        return F.sign if negs else 0
    lt = order(F, a) < order(F, b)
    return a if lt == is_min else b


def flt(F, a, b):
    return not is_nan(F, a) and not is_nan(F, b) and order(F, a) < order(F, b)


def fcmp(F, a, b, op):
    if is_nan(F, a) or is_nan(F, b):
        return op == "ne"
    x, y = order(F, a), order(F, b)
    return {"eq": x == y, "ne": x != y, "lt": x < y, "gt": x > y, "le": x <= y, "ge": x >= y}[op]


def fround(F, a, mode):
    if is_nan(F, a):
        return nans(F, a)
    if is_inf(F, a) or is_zero(F, a):
        return a
    v = value(F, a)
    r = {"ceil": math.ceil, "floor": math.floor, "trunc": math.trunc, "nearest": round}[mode](v)
    return encode(F, Fraction(r), is_neg(F, a))     # round(Fraction) ties to even


def trunc_sat(F, a, w, signed):
    if is_nan(F, a):
        return 0
    lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, (1 << w) - 1)
    if is_inf(F, a):
        return (lo if is_neg(F, a) else hi) & mask(w)
    return sat(math.trunc(value(F, a)), lo, hi) & mask(w)


def fconvert(Fin, Fout, a):
    """promote / demote: nans for NaN, exact or rounded otherwise."""
    if is_nan(Fin, a):
        return nans(Fin, a)
    if is_inf(Fin, a):
        return (Fout.sign if is_neg(Fin, a) else 0) | Fout.inf
    return encode(Fout, value(Fin, a), is_neg(Fin, a))


# -------------------------------------------------------- text literals

def flit(F, b):
    """Exact text literal of a pattern (hex float, inf, nan:0x payload)."""
    s = "-" if is_neg(F, b) else ""
    e, m = (b >> F.mbits) & F.emask, b & F.mmask
    if e == F.emask:
        return s + ("inf" if m == 0 else "nan:0x%x" % m)
    if e == 0 and m == 0:
        return s + "0"
    digits = (F.mbits + 3) // 4
    frac = "%0*x" % (digits, m << (digits * 4 - F.mbits))
    if e == 0:
        return "%s0x0.%sp%d" % (s, frac, 1 - F.bias)
    return "%s0x1.%sp%+d" % (s, frac, e - F.bias)


def lane_lit(shape, x):
    if shape == "f32x4":
        return x if isinstance(x, str) else flit(F32, x)
    if shape == "f64x2":
        return x if isinstance(x, str) else flit(F64, x)
    w = shape_w(shape)
    if w == 32:
        return "0x%x" % x
    return str(sx(x, w))


def shape_w(shape):
    return {"i8x16": 8, "i16x8": 16, "i32x4": 32, "i64x2": 64, "f32x4": 32, "f64x2": 64}[shape]


def v128_lit(shape, v):
    ls = v if isinstance(v, list) else lanes(v, shape_w(shape))
    return "(v128.const %s %s)" % (shape, " ".join(lane_lit(shape, x) for x in ls))


def scalar_lit(t, v):
    if t == "i32":
        return "(i32.const %d)" % sx(v, 32)
    if t == "i64":
        return "(i64.const %d)" % sx(v, 64)
    if t == "f32":
        return "(f32.const %s)" % (v if isinstance(v, str) else flit(F32, v))
    return "(f64.const %s)" % (v if isinstance(v, str) else flit(F64, v))


def parse_float_lit(F, text):
    """The text format's float literal (decimal or hex, underscores) rounded to F."""
    s = text.replace("_", "")
    neg = s.startswith("-")
    s = s.lstrip("+-")
    if s == "inf":
        return (F.sign if neg else 0) | F.inf
    if s.startswith("nan"):
        pay = int(s[6:], 16) if s.startswith("nan:0x") else F.quiet
        return (F.sign if neg else 0) | F.inf | pay
    if s.startswith("0x"):
        s = s[2:]
        mant, _, exp = s.partition("p")
        ip, _, fp = mant.partition(".")
        v = Fraction(int((ip + fp) or "0", 16), 16 ** len(fp)) * Fraction(2) ** int(exp or "0")
    else:
        v = Fraction(s)
    return encode(F, -v if neg else v, neg)


# ------------------------------------------------- instruction table
# name -> Instr.  Codes are the 0xFD sub-opcodes of the SIMD proposal's
# binary encoding table; sig letters i l f d v, params '_' results.

class Instr:
    def __init__(self, name, code, sig, sem, imm=None, pshape=None, rshape=None, prefix=0xfd):
        self.name, self.code, self.sem, self.imm, self.prefix = name, code, sem, imm, prefix
        p, r = sig.split("_")
        T = {"i": "i32", "l": "i64", "f": "f32", "d": "f64", "v": "v128"}
        self.params, self.results = [T[c] for c in p], [T[c] for c in r]
        head = name.split(".")[0]
        self.pshape = pshape or (head if head in SHAPES else "i32x4")
        self.rshape = rshape or (head if head in SHAPES else "i32x4")


SHAPES = ("i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2")
INSTRS = {}


def op(name, code, sig, sem, **kw):
    INSTRS[name] = Instr(name, code, sig, sem, **kw)


def lanewise1(w, f):
    return lambda a, imm: [f(x) & mask(w) for x in lanes(a[0], w)]


def lanewise2(w, f):
    return lambda a, imm: [f(x, y) & mask(w) for x, y in zip(lanes(a[0], w), lanes(a[1], w))]


INT_SHAPES = (("i8x16", 8), ("i16x8", 16), ("i32x4", 32), ("i64x2", 64))


def int_sems(w):
    """Lane semantics of the integer operators at lane width w."""
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    return {
        "abs": lanewise1(w, lambda x: abs(sx(x, w))),
        "neg": lanewise1(w, lambda x: -x),
        "all_true": lambda a, imm: int(all(lanes(a[0], w))),
        "bitmask": lambda a, imm: sum(1 << i for i, x in enumerate(lanes(a[0], w)) if x >> (w - 1)),
        "shl": lambda a, imm: [(x << (a[1] % w)) & mask(w) for x in lanes(a[0], w)],
        "shr_s": lambda a, imm: [(sx(x, w) >> (a[1] % w)) & mask(w) for x in lanes(a[0], w)],
        "shr_u": lambda a, imm: [x >> (a[1] % w) for x in lanes(a[0], w)],
        "add": lanewise2(w, lambda x, y: x + y),
        "add_sat_s": lanewise2(w, lambda x, y: sat(sx(x, w) + sx(y, w), lo, hi)),
        "add_sat_u": lanewise2(w, lambda x, y: sat(x + y, 0, mask(w))),
        "sub": lanewise2(w, lambda x, y: x - y),
        "sub_sat_s": lanewise2(w, lambda x, y: sat(sx(x, w) - sx(y, w), lo, hi)),
        "sub_sat_u": lanewise2(w, lambda x, y: sat(x - y, 0, mask(w))),
        "mul": lanewise2(w, lambda x, y: x * y),
        "min_s": lanewise2(w, lambda x, y: min(sx(x, w), sx(y, w))),
        "min_u": lanewise2(w, min),
        "max_s": lanewise2(w, lambda x, y: max(sx(x, w), sx(y, w))),
        "max_u": lanewise2(w, max),
        "avgr_u": lanewise2(w, lambda x, y: (x + y + 1) // 2),
    }


def def_int_instrs():
    base = {"i8x16": 35, "i16x8": 45, "i32x4": 55}
    cmps = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
    for shape, w in INT_SHAPES:
        def cmp(o, w=w):
            f = {"eq": lambda x, y: x == y, "ne": lambda x, y: x != y,
                 "lt": lambda x, y: x < y, "gt": lambda x, y: x > y,
                 "le": lambda x, y: x <= y, "ge": lambda x, y: x >= y}[o[:2]]
            if o.endswith("_s"):
                return lanewise2(w, lambda x, y: -1 if f(sx(x, w), sx(y, w)) else 0)
            return lanewise2(w, lambda x, y: -1 if f(x, y) else 0)
        if shape in base:
            for i, o in enumerate(cmps):
                op("%s.%s" % (shape, o), base[shape] + i, "vv_v", cmp(o))
        else:
            for o, c in (("eq", 214), ("ne", 215), ("lt_s", 216), ("gt_s", 217), ("le_s", 218), ("ge_s", 219)):
                op("i64x2." + o, c, "vv_v", cmp(o))
    # per-shape arithmetic: name -> code for i8x16, i16x8, i32x4, i64x2 (None: absent)
    table = {
        "abs": (96, 128, 160, 192), "neg": (97, 129, 161, 193),
        "all_true": (99, 131, 163, 195), "bitmask": (100, 132, 164, 196),
        "shl": (107, 139, 171, 203), "shr_s": (108, 140, 172, 204), "shr_u": (109, 141, 173, 205),
        "add": (110, 142, 174, 206), "add_sat_s": (111, 143, None, None), "add_sat_u": (112, 144, None, None),
        "sub": (113, 145, 177, 209), "sub_sat_s": (114, 146, None, None), "sub_sat_u": (115, 147, None, None),
        "mul": (None, 149, 181, 213),
        "min_s": (118, 150, 182, None), "min_u": (119, 151, 183, None),
        "max_s": (120, 152, 184, None), "max_u": (121, 153, 185, None),
        "avgr_u": (123, 155, None, None),
    }
    for k, (shape, w) in enumerate(INT_SHAPES):
        sems = int_sems(w)
        for o, codes in table.items():
            if codes[k] is None:
                continue
            sig = {"all_true": "v_i", "bitmask": "v_i", "abs": "v_v", "neg": "v_v"}.get(o, "vv_v")
            if o.startswith("sh"):
                sig = "vi_v"
            op("%s.%s" % (shape, o), codes[k], sig, sems[o])
    op("i8x16.popcnt", 98, "v_v", lanewise1(8, lambda x: bin(x).count("1")))
    op("i16x8.q15mulr_sat_s", 130, "vv_v",
       lanewise2(16, lambda x, y: sat((sx(x, 16) * sx(y, 16) + 0x4000) >> 15, -32768, 32767)))
    # narrowing: signed source lanes saturated to the half width
    for name, code, w, signed in (("i8x16.narrow_i16x8_s", 101, 16, True), ("i8x16.narrow_i16x8_u", 102, 16, False),
                                  ("i16x8.narrow_i32x4_s", 133, 32, True), ("i16x8.narrow_i32x4_u", 134, 32, False)):
        h = w // 2
        lo, hi = (-(1 << (h - 1)), (1 << (h - 1)) - 1) if signed else (0, mask(h))
        op(name, code, "vv_v", lambda a, imm, w=w, h=h, lo=lo, hi=hi:
           [sat(sx(x, w), lo, hi) & mask(h) for x in lanes(a[0], w) + lanes(a[1], w)],
           pshape="i%dx%d" % (w, 128 // w))
    # extend / extmul / extadd_pairwise / dot, by destination width
    for dst, src, ext_code, extmul_code in (("i16x8", "i8x16", 135, 156), ("i32x4", "i16x8", 167, 188),
                                            ("i64x2", "i32x4", 199, 220)):
        w = shape_w(src)
        n = 128 // (2 * w)
        for j, (half, signed) in enumerate((("low", True), ("high", True), ("low", False), ("high", False))):
            sfx = "_s" if signed else "_u"
            conv = (lambda x, w=w: sx(x, w)) if signed else (lambda x: x)
            pick = (lambda ls, n=n: ls[:n]) if half == "low" else (lambda ls, n=n: ls[n:])
            op("%s.extend_%s_%s%s" % (dst, half, src, sfx), ext_code + j, "v_v",
               lambda a, imm, conv=conv, pick=pick, w=w: [conv(x) & mask(2 * w) for x in pick(lanes(a[0], w))],
               pshape=src)
            op("%s.extmul_%s_%s%s" % (dst, half, src, sfx), extmul_code + j, "vv_v",
               lambda a, imm, conv=conv, pick=pick, w=w:
               [(conv(x) * conv(y)) & mask(2 * w) for x, y in zip(pick(lanes(a[0], w)), pick(lanes(a[1], w)))],
               pshape=src)
    for dst, src, code in (("i16x8", "i8x16", 124), ("i32x4", "i16x8", 126)):
        w = shape_w(src)
        for j, signed in enumerate((True, False)):
            conv = (lambda x, w=w: sx(x, w)) if signed else (lambda x: x)
            op("%s.extadd_pairwise_%s_%s" % (dst, src, "s" if signed else "u"), code + j, "v_v",
               lambda a, imm, conv=conv, w=w: [(conv(x) + conv(y)) & mask(2 * w) for x, y in
                                               zip(lanes(a[0], w)[0::2], lanes(a[0], w)[1::2])], pshape=src)
    op("i32x4.dot_i16x8_s", 186, "vv_v", lambda a, imm: [
        (sx(x0, 16) * sx(y0, 16) + sx(x1, 16) * sx(y1, 16)) & mask(32)
        for x0, x1, y0, y1 in zip(lanes(a[0], 16)[0::2], lanes(a[0], 16)[1::2],
                                  lanes(a[1], 16)[0::2], lanes(a[1], 16)[1::2])], pshape="i16x8")


def def_float_instrs():
    for shape, F, cmp0, codes in (("f32x4", F32, 65, (224, 225, 227, 228, 229, 230, 231, 232, 233, 234, 235)),
                                  ("f64x2", F64, 71, (236, 237, 239, 240, 241, 242, 243, 244, 245, 246, 247))):
        w = F.bits
        for i, o in enumerate(("eq", "ne", "lt", "gt", "le", "ge")):
            op("%s.%s" % (shape, o), cmp0 + i, "vv_v",
               lanewise2(w, lambda x, y, F=F, o=o: -1 if fcmp(F, x, y, o) else 0),
               rshape="i32x4" if w == 32 else "i64x2")
        un = {"abs": lambda x, F=F: x & ~F.sign, "neg": lambda x, F=F: x ^ F.sign,
              "sqrt": lambda x, F=F: fsqrt(F, x)}
        bi = {"add": lambda x, y, F=F: fadd(F, x, y), "sub": lambda x, y, F=F: fsub(F, x, y),
              "mul": lambda x, y, F=F: fmul(F, x, y), "div": lambda x, y, F=F: fdiv(F, x, y),
              "min": lambda x, y, F=F: fminmax(F, x, y, True), "max": lambda x, y, F=F: fminmax(F, x, y, False),
              "pmin": lambda x, y, F=F: y if flt(F, y, x) else x,
              "pmax": lambda x, y, F=F: y if flt(F, x, y) else x}
        names = ["abs", "neg", "sqrt", "add", "sub", "mul", "div", "min", "max", "pmin", "pmax"]
        for name, code in zip(names, codes):
            if name in un:
                op("%s.%s" % (shape, name), code, "v_v",
                   lambda a, imm, f=un[name], w=w: [f(x) for x in lanes(a[0], w)])
            else:
                op("%s.%s" % (shape, name), code, "vv_v",
                   lambda a, imm, f=bi[name], w=w: [f(x, y) for x, y in zip(lanes(a[0], w), lanes(a[1], w))])
    for shape, F, codes in (("f32x4", F32, (103, 104, 105, 106)), ("f64x2", F64, (116, 117, 122, 148))):
        for mode, code in zip(("ceil", "floor", "trunc", "nearest"), codes):
            op("%s.%s" % (shape, mode), code, "v_v",
               lambda a, imm, F=F, mode=mode: [fround(F, x, mode) for x in lanes(a[0], F.bits)])
    op("i32x4.trunc_sat_f32x4_s", 248, "v_v", lambda a, imm: [trunc_sat(F32, x, 32, True) for x in lanes(a[0], 32)],
       pshape="f32x4")
    op("i32x4.trunc_sat_f32x4_u", 249, "v_v", lambda a, imm: [trunc_sat(F32, x, 32, False) for x in lanes(a[0], 32)],
       pshape="f32x4")
    op("i32x4.trunc_sat_f64x2_s_zero", 252, "v_v",
       lambda a, imm: [trunc_sat(F64, x, 32, True) for x in lanes(a[0], 64)] + [0, 0], pshape="f64x2")
    op("i32x4.trunc_sat_f64x2_u_zero", 253, "v_v",
       lambda a, imm: [trunc_sat(F64, x, 32, False) for x in lanes(a[0], 64)] + [0, 0], pshape="f64x2")
    op("f32x4.convert_i32x4_s", 250, "v_v", lambda a, imm: [encode(F32, Fraction(sx(x, 32))) for x in lanes(a[0], 32)],
       pshape="i32x4")
    op("f32x4.convert_i32x4_u", 251, "v_v", lambda a, imm: [encode(F32, Fraction(x)) for x in lanes(a[0], 32)],
       pshape="i32x4")
    op("f64x2.convert_low_i32x4_s", 254, "v_v",
       lambda a, imm: [encode(F64, Fraction(sx(x, 32))) for x in lanes(a[0], 32)[:2]], pshape="i32x4")
    op("f64x2.convert_low_i32x4_u", 255, "v_v",
       lambda a, imm: [encode(F64, Fraction(x)) for x in lanes(a[0], 32)[:2]], pshape="i32x4")
    op("f32x4.demote_f64x2_zero", 94, "v_v",
       lambda a, imm: [fconvert(F64, F32, x) for x in lanes(a[0], 64)] + [0, 0], pshape="f64x2")
    op("f64x2.promote_low_f32x4", 95, "v_v",
       lambda a, imm: [fconvert(F32, F64, x) for x in lanes(a[0], 32)[:2]], pshape="f32x4")


def def_lane_instrs():
    op("v128.const", 12, "_v", None, imm="v128")
    op("i8x16.shuffle", 13, "vv_v", lambda a, imm: [(lanes(a[0], 8) + lanes(a[1], 8))[k] for k in imm],
       imm="shuffle")
    op("i8x16.swizzle", 14, "vv_v", lambda a, imm: [lanes(a[0], 8)[k] if k < 16 else 0 for k in lanes(a[1], 8)])
    for shape, code, ptype in (("i8x16", 15, "i"), ("i16x8", 16, "i"), ("i32x4", 17, "i"), ("i64x2", 18, "l"),
                               ("f32x4", 19, "f"), ("f64x2", 20, "d")):
        w = shape_w(shape)
        op(shape + ".splat", code, ptype + "_v", lambda a, imm, w=w: [a[0] & mask(w)] * (128 // w))
    for shape, code, st in (("i8x16", 21, "i"), ("i16x8", 24, "i"), ("i32x4", 27, "i"), ("i64x2", 29, "l"),
                            ("f32x4", 31, "f"), ("f64x2", 33, "d")):
        w, n = shape_w(shape), 128 // shape_w(shape)
        if w < 32:
            op(shape + ".extract_lane_s", code, "v_i", lambda a, imm, w=w: sx(lanes(a[0], w)[imm], w) & mask(32),
               imm=("lane", n))
            op(shape + ".extract_lane_u", code + 1, "v_i", lambda a, imm, w=w: lanes(a[0], w)[imm], imm=("lane", n))
            code += 1
        else:
            op(shape + ".extract_lane", code, "v_" + st, lambda a, imm, w=w: lanes(a[0], w)[imm], imm=("lane", n))
        op(shape + ".replace_lane", code + 1, "v%s_v" % st,
           lambda a, imm, w=w: [a[1] & mask(w) if i == imm else x for i, x in enumerate(lanes(a[0], w))],
           imm=("lane", n))
    op("v128.not", 77, "v_v", lambda a, imm: [~x & mask(32) for x in lanes(a[0], 32)])
    op("v128.and", 78, "vv_v", lanewise2(32, lambda x, y: x & y))
    op("v128.andnot", 79, "vv_v", lanewise2(32, lambda x, y: x & ~y))
    op("v128.or", 80, "vv_v", lanewise2(32, lambda x, y: x | y))
    op("v128.xor", 81, "vv_v", lanewise2(32, lambda x, y: x ^ y))
    op("v128.bitselect", 82, "vvv_v", lambda a, imm: lanes((a[0] & a[2]) | (a[1] & ~a[2] & mask(128)), 32))
    op("v128.any_true", 83, "v_i", lambda a, imm: int(a[0] != 0))


def mem_check(mem, ea, n):
    if ea + n > len(mem):
        raise Trap("out of bounds memory access")


def def_mem_instrs():
    def load(n, f):
        def sem(a, imm, mem):
            ea = a[0] + imm[0]
            mem_check(mem, ea, n)
            return f(int.from_bytes(mem[ea:ea + n], "little"))
        return sem
    op("v128.load", 0, "i_v", load(16, lambda v: lanes(v, 32)), imm=("mem", 4))
    for k, (w, signed) in enumerate(((8, True), (8, False), (16, True), (16, False), (32, True), (32, False))):
        conv = (lambda x, w=w: sx(x, w) & mask(2 * w)) if signed else (lambda x: x)
        op("v128.load%dx%d_%s" % (w, 64 // w, "s" if signed else "u"), 1 + k, "i_v",
           load(8, lambda v, w=w, conv=conv: [conv(x) for x in lanes(v, w)[:64 // w]]), imm=("mem", 3),
           rshape="i%dx%d" % (2 * w, 64 // w))
    for k, w in enumerate((8, 16, 32, 64)):
        op("v128.load%d_splat" % w, 7 + k, "i_v", load(w // 8, lambda v, w=w: [v] * (128 // w)),
           imm=("mem", k), rshape="i%dx%d" % (w, 128 // w))
    op("v128.load32_zero", 92, "i_v", load(4, lambda v: [v, 0, 0, 0]), imm=("mem", 2))
    op("v128.load64_zero", 93, "i_v", load(8, lambda v: [v, 0]), imm=("mem", 3), rshape="i64x2")

    def store_v(a, imm, mem):
        ea = a[0] + imm[0]
        mem_check(mem, ea, 16)
        mem[ea:ea + 16] = a[1].to_bytes(16, "little")
    op("v128.store", 11, "iv_", store_v, imm=("mem", 4))
    for k, w in enumerate((8, 16, 32, 64)):
        shape = "i%dx%d" % (w, 128 // w)

        def load_lane(a, imm, mem, w=w):
            ea = a[0] + imm[0]
            mem_check(mem, ea, w // 8)
            ls = lanes(a[1], w)
            ls[imm[2]] = int.from_bytes(mem[ea:ea + w // 8], "little")
            return ls

        def store_lane(a, imm, mem, w=w):
            ea = a[0] + imm[0]
            mem_check(mem, ea, w // 8)
            mem[ea:ea + w // 8] = lanes(a[1], w)[imm[2]].to_bytes(w // 8, "little")
        op("v128.load%d_lane" % w, 84 + k, "iv_v", load_lane, imm=("memlane", k, 128 // w), pshape=shape, rshape=shape)
        op("v128.store%d_lane" % w, 88 + k, "iv_", store_lane, imm=("memlane", k, 128 // w), pshape=shape)
    # scalar helper (not under test) to look at memory after stores
    op("i64.load", 0x29, "i_l", load(8, lambda v: v), imm=("mem", 3), prefix=0)


def_int_instrs()
def_float_instrs()
def_lane_instrs()
def_mem_instrs()


def is_mem(ins):
    return isinstance(ins.imm, tuple) and ins.imm[0] in ("mem", "memlane")


def imm_text(ins, imm):
    """Immediates as written in the text format; imm is (offset, align_log2[, lane]) for memory."""
    if ins.imm is None:
        return ""
    if ins.imm == "shuffle":
        return " " + " ".join(map(str, imm))
    if ins.imm[0] == "lane":
        return " %d" % imm
    t = ""
    if imm[0]:
        t += " offset=%d" % imm[0]
    if imm[1] != ins.imm[1] or imm[0]:     # natural alignment written out too
        t += " align=%d" % (1 << imm[1])
    if ins.imm[0] == "memlane":
        t += " %d" % imm[2]
    return t


# ------------------------------------------------------------ scripts

class Module:
    """One module of single-instruction functions and a sequence of calls."""

    def __init__(self, title, memory=None, data=()):
        self.title, self.memory, self.data = title, memory, list(data)
        self.mem = bytearray(memory * 65536) if memory is not None else None
        for off, b in self.data:
            self.mem[off:off + len(b)] = b
        self.funcs = {}
        self.steps = []

    def func(self, name, imm=None):
        ins = INSTRS[name]
        key = name + imm_text(ins, imm)
        self.funcs.setdefault(key, (ins, imm))
        return key

    def call(self, name, args, imm=None):
        """Adds a call and computes its expected outcome with the oracle."""
        key = self.func(name, imm)
        ins = INSTRS[name]
        try:
            r = ins.sem(args, imm, self.mem) if is_mem(ins) else ins.sem(args, imm)
            exp = [] if not ins.results else [r]
        except Trap as t:
            exp = "trap:" + str(t)
        self.steps.append((key, args, exp))

    # -- text
    def wast(self):
        out = ["(module"]
        if self.memory is not None:
            out.append("  (memory %d)" % self.memory)
        for off, b in self.data:
            out.append('  (data (i32.const %d) "%s")' % (off, "".join("\\%02x" % x for x in b)))
        for key, (ins, imm) in self.funcs.items():
            ps = " ".join("(local.get %d)" % i for i in range(len(ins.params)))
            out.append('  (func (export "%s")%s%s (%s%s %s))' % (
                key, " (param %s)" % " ".join(ins.params) if ins.params else "",
                " (result %s)" % " ".join(ins.results) if ins.results else "", ins.name, imm_text(ins, imm), ps))
        out.append(")")
        for key, args, exp in self.steps:
            ins = self.funcs[key][0]
            call = '(invoke "%s" %s)' % (key, " ".join(arg_text(ins, t, a) for t, a in zip(ins.params, args)))
            if isinstance(exp, str):
                out.append('(assert_trap %s "%s")' % (call, exp[5:]))
            elif not exp:
                out.append('(assert_return %s)' % call)
            else:
                out.append("(assert_return %s %s)" % (call, result_text(ins, exp[0])))
        return "\n".join(out) + "\n"

    # -- JSON for the V8 cross-check
    def json(self):
        funcs = []
        for key, (ins, imm) in self.funcs.items():
            f = {"name": key, "op": ins.name, "prefix": ins.prefix, "code": ins.code,
                 "params": ins.params, "results": ins.results}
            if ins.imm == "shuffle":
                f["lanes"] = list(imm)
            elif isinstance(ins.imm, tuple) and ins.imm[0] == "lane":
                f["lane"] = imm
            elif ins.imm:
                f["offset"], f["align"] = imm[0], imm[1]
                if ins.imm[0] == "memlane":
                    f["lane"] = imm[2]
            funcs.append(f)
        steps = []
        for key, args, exp in self.steps:
            ins = self.funcs[key][0]
            a = [hex(x) for x in args]
            if isinstance(exp, str):
                e = {"trap": exp[5:]}
            elif not exp:
                e = {"results": []}
            elif ins.results[0] == "v128":
                w = shape_w(ins.rshape)
                e = {"results": [{"w": w, "lanes": [x if isinstance(x, str) else hex(x) for x in exp[0]]}]}
            else:
                e = {"results": [hex(exp[0])]}
            steps.append({"f": key, "args": a, "expect": e})
        return {"title": self.title, "memory": self.memory,
                "data": [[off, b.hex()] for off, b in self.data], "funcs": funcs, "steps": steps}


def arg_text(ins, t, a):
    if t == "v128":
        return v128_lit(ins.pshape, a)
    return scalar_lit(t, a)


def result_text(ins, r):
    t = ins.results[0]
    if t != "v128":
        return scalar_lit(t, r)
    shape = ins.rshape
    return "(v128.const %s %s)" % (shape, " ".join(lane_lit(shape, x) for x in r))


# -------------------------------------------------------- operand sets

I8 = [0, 1, 2, 0x3f, 0x40, 0x7e, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff]
I16 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xc000, 0xfffe, 0xffff]
I32 = [0, 1, 2, 0x7f, 0x80, 0x7fff, 0x8000, 0xffff, 0x10000, 0x3fffffff, 0x40000000, 0x7fffffff,
       0x80000000, 0x80000001, 0xfffffffe, 0xffffffff]
I64 = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000,
       0x8000000000000001, 0xfffffffffffffffe, 0xffffffffffffffff, 0x123456789abcdef0]
IVALS = {8: I8, 16: I16, 32: I32, 64: I64}


def float_sets(F):
    m = F.mbits
    p = lambda s: parse_float_lit(F, s)
    snan, qnan = F.inf | 1, F.inf | F.quiet | 1
    # for the all-pairs binary operators
    binary = [0, F.sign, p("1"), p("-1"), p("0.5"), p("-2.5"), p("0x1p%d" % m) | 1, p("0.1"),
              p("-123456.789"), 1, F.sign | (F.mmask), F.mmask + 1, F.max, F.sign | F.max,
              F.inf, F.sign | F.inf, F.canon, F.sign | F.canon, snan, qnan, F.sign | snan | 0x100]
    # one-operand edge cases: ties for the rounding ops, integer boundaries for conversions
    unary = binary + [p(s) for s in (
        "0.49999997", "0x1.fffffffffffffp-2", "1.5", "2.5", "-0.5", "-1.5", "3.5", "-3.5", "4.5",
        "0x1p%d" % m, "-0x1p%d" % m, "0x1.8p%d" % (m - 1), "0x1.fffffep22", "0x1p%d" % (m + 1),
        "2147483520", "2147483647", "2147483647.5", "2147483648", "-2147483648", "-2147483648.5",
        "-2147483649", "-2147483904", "4294967040", "4294967295", "4294967295.5", "4294967296",
        "0.99999994", "-0.99999994", "-1.0", "2", "4", "0.25", "1e10", "1e-40", "-1e-300", "1e300",
        "0x1.fffffcp-127", "0x1p-126", "0x1p-1022", "3.4028234e38", "0x1.fffffefffffffp127",
        "0x1.ffffffp127", "0x1p-150", "0x1.8p-149", "0x1.000001p0", "0x1.0000010000001p0",
        "0x1.fffffep127", "9007199254740993", "1.0000001")]
    seen, out = set(), []
    for b in unary:
        if b not in seen:
            seen.add(b)
            out.append(b)
    return binary, out


def rounding_pairs(F):
    """Extra operand pairs whose exact results sit on or near rounding ties."""
    m, e = F.mbits, F.bias
    p = lambda s: parse_float_lit(F, s)
    one, ulp, half = p("1"), p("0x1p-%d" % m), p("0x1p-%d" % (m + 1))
    sub1, minn = 1, F.mmask + 1
    return {
        "add": [(one, half), (one + 1, half), (one, half + 1), (F.max, p("0x1p%d" % (e - m - 1))),
                (F.max, p("0x1p%d" % (e - m - 2))), (minn, F.sign | sub1), (p("-1"), half),
                (sub1, sub1), (p("0x1p%d" % m), p("0.5")), (p("0x1p%d" % (m + 1)), p("1"))],
        "sub": [(one, half), (one, p("0x1p-%d" % (m + 2))), (minn, sub1), (p("-0"), p("0")), (one, one),
                (F.sign | F.max, p("0x1p%d" % (e - m - 1)))],
        "mul": [(minn, p("0.5")), (minn + 1, p("0.5")), (3, p("0.5")), (sub1, p("0.5")), (sub1, p("-0.5")),
                (F.max, p("2")), (one + 1, one + 1), (p("0x1.8p0"), p("0x1p%d" % (1 - e - m - 1))),
                (p("-0x1p-%d" % (e // 2 + 1)), p("0x1p-%d" % (e // 2 + m)))],
        "div": [(one, p("3")), (sub1, p("2")), (3, p("2")), (one, F.max), (F.max, p("0.5")), (p("-1"), p("0")),
                (p("0"), p("-0")), (p("2"), p("3")), (one, one + 1)],
    }


# -------------------------------------------------------- case families

def vec_chunks(vals, n):
    """vals spread over n-lane vectors (the last one padded from the start)."""
    out = []
    for i in range(0, len(vals), n):
        c = vals[i:i + n]
        out.append(c + vals[:n - len(c)])
    return out


def pair_chunks(a_vals, b_vals, n):
    pairs = [(a, b) for a in a_vals for b in b_vals]
    return [([x for x, _ in c], [y for _, y in c]) for c in vec_chunks(pairs, n)]


def int_family():
    m = Module("integer lane arithmetic, comparisons, shifts, saturation")
    for shape, w in INT_SHAPES:
        n, vals = 128 // w, IVALS[w]
        bin_ops = [o for o in INSTRS if o.startswith(shape + ".") and INSTRS[o].params == ["v128", "v128"]
                   and not INSTRS[o].imm and not any(k in o for k in ("narrow", "extmul", "dot", "swizzle"))]
        for o in bin_ops:
            for a, b in pair_chunks(vals, vals, n):
                m.call(o, [join(a, w), join(b, w)])
        for o in ("abs", "neg", "popcnt", "all_true", "bitmask"):
            name = "%s.%s" % (shape, o)
            if name not in INSTRS:
                continue
            vecs = [join(c, w) for c in vec_chunks(vals, n)]
            if o in ("all_true", "bitmask"):
                # each lane alone zero / alone negative, and lanes nonzero only in their top byte
                vecs += [0, mask(128), join([1 << (w - 1)] * n, w), join([1] * n, w)]
                vecs += [join([0 if i == k else 1 << (w - 1 - (k % 2) * (w - 1)) for i in range(n)], w)
                         for k in range(n)]
                vecs += [join([1 << (w - 1) if i == k else 1 for i in range(n)], w) for k in range(n)]
            for v in vecs:
                m.call(name, [v])
        counts = sorted({0, 1, 2, w - 1, w, w + 1, 2 * w - 1, 2 * w, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256,
                         0x7fffffff, 0x80000000, 0xfffffff9, 0xffffffff})
        for o in ("shl", "shr_s", "shr_u"):
            for v in vec_chunks(vals, n):
                for c in counts:
                    m.call("%s.%s" % (shape, o), [join(v, w), c])
    return m


def widen_family():
    m = Module("narrow, extend, extmul, extadd_pairwise, dot, q15mulr_sat_s")
    for name, ins in INSTRS.items():
        if not any(k in name for k in ("narrow", "extend", "extmul", "extadd", "dot")) or ins.imm:
            continue
        w = shape_w(ins.pshape)
        n, vals = 128 // w, IVALS[w]
        if len(ins.params) == 1:
            for v in vec_chunks(vals, n) + [vals[::-1][:n]]:
                m.call(name, [join(v, w)])
        elif "narrow" in name:
            extra = {16: [0x7f, 0x80, 0xff, 0x100, 0xff7f, 0xff80, 0xff81, 0x17f],
                     32: [0x7fff, 0x8000, 0xffff, 0x10000, 0xffff7fff, 0xffff8000, 0xffff8001, 0x17fff]}[w]
            for a, b in pair_chunks(vals + extra, [0, 0xffffffff & mask(w)], n):
                m.call(name, [join(a, w), join(b, w)])
                m.call(name, [join(b, w), join(a, w)])
        else:
            for a, b in pair_chunks(vals, vals, n):
                m.call(name, [join(a, w), join(b, w)])
    return m


def float_family(shape):
    F = F32 if shape == "f32x4" else F64
    n, w = 128 // F.bits, F.bits
    binary, unary = float_sets(F)
    extra = rounding_pairs(F)
    m = Module("%s arithmetic, min/max, pmin/pmax, comparisons, rounding, sqrt" % shape)
    for o in ("add", "sub", "mul", "div", "min", "max", "pmin", "pmax", "eq", "ne", "lt", "gt", "le", "ge"):
        chunks = pair_chunks(binary, binary, n)
        if o in extra:
            pairs = extra[o] + [(b, a) for a, b in extra[o]]
            chunks += [([x for x, _ in c], [y for _, y in c]) for c in vec_chunks(pairs, n)]
        for a, b in chunks:
            m.call("%s.%s" % (shape, o), [join(a, w), join(b, w)])
    for o in ("abs", "neg", "sqrt", "ceil", "floor", "trunc", "nearest"):
        vals = unary + ([parse_float_lit(F, s) for s in ("2", "0x1p-149", "0x1.fffffep127", "0x1p-1074",
                                                           "0x1.fffffffffffffp1023", "0.0625", "1e-45", "3")]
                        if o == "sqrt" else [])
        for v in vec_chunks(vals, n):
            m.call("%s.%s" % (shape, o), [join(v, w)])
    return m


def conv_family():
    m = Module("conversions: trunc_sat, convert, demote, promote")
    _, u32 = float_sets(F32)
    _, u64 = float_sets(F64)
    for o in ("i32x4.trunc_sat_f32x4_s", "i32x4.trunc_sat_f32x4_u"):
        for v in vec_chunks(u32, 4):
            m.call(o, [join(v, 32)])
    for o in ("i32x4.trunc_sat_f64x2_s_zero", "i32x4.trunc_sat_f64x2_u_zero", "f32x4.demote_f64x2_zero"):
        for v in vec_chunks(u64, 2):
            m.call(o, [join(v, 64)])
    ints = I32 + [16777217, 16777219, 0x7fffffbf, 0x7fffffc0, 0xffffff7f, 0xffffff80, 0xfefffffe,
                  0x80000041, 0x80000040, 0xffffffc0, 0x1000001, 0xfeffffff]
    for o in ("f32x4.convert_i32x4_s", "f32x4.convert_i32x4_u", "f64x2.convert_low_i32x4_s",
              "f64x2.convert_low_i32x4_u"):
        k = 4 if o.startswith("f32") else 2
        for v in vec_chunks(ints, k):
            m.call(o, [join(v + [0x55555555] * (4 - k), 32)])
    for v in vec_chunks(u32, 2):
        m.call("f64x2.promote_low_f32x4", [join(v + [F32.canon, 0x12345678], 32)])
    return m


def lane_family():
    m = Module("splat, extract/replace lanes, shuffle, swizzle, bitwise, any/all_true")
    rnd = random.Random(2024)
    r128 = lambda: rnd.getrandbits(128)
    vecs = [join(list(range(16)), 8), join([0x80 | (i * 17 & 0x7f) for i in range(16)], 8),
            join([0xff - i for i in range(16)], 8), r128(), r128()]
    _, f32u = float_sets(F32)
    _, f64u = float_sets(F64)
    for shape, w in INT_SHAPES:
        scal = I64 if w == 64 else I32 + [0x17f, 0xff80, 0x1ff7f, 0x12345678]
        for x in scal:
            m.call(shape + ".splat", [x])
    for x in f32u[:30]:
        m.call("f32x4.splat", [x])
    for x in f64u[:30]:
        m.call("f64x2.splat", [x])
    fvec32 = [join(c, 32) for c in vec_chunks(f32u[:24], 4)]
    fvec64 = [join(c, 64) for c in vec_chunks(f64u[:24], 2)]
    for shape in SHAPES:
        w, n = shape_w(shape), 128 // shape_w(shape)
        sources = fvec32 if shape == "f32x4" else fvec64 if shape == "f64x2" else vecs
        ex = [shape + ".extract_lane"] if w >= 32 else [shape + ".extract_lane_s", shape + ".extract_lane_u"]
        for lane in range(n):
            for o in ex:
                for v in sources[:4]:
                    m.call(o, [v], imm=lane)
            news = (f32u if w == 32 and shape[0] == "f" else f64u if shape[0] == "f" else
                    I64 if w == 64 else [0, 0xffffffff, 0x17f, 0x8000, 0x12345678])[lane % 5::n][:3]
            for v in sources[:2]:
                for x in news:
                    m.call(shape + ".replace_lane", [v, x], imm=lane)
    shuffles = [list(range(16)), list(range(16, 32)), list(range(15, -1, -1)), list(range(31, 15, -1)),
                [i // 2 + (16 if i % 2 else 0) for i in range(16)], [0] * 16, [31] * 16, [15, 16] * 8,
                [(i * 7) % 32 for i in range(16)]] + [[rnd.randrange(32) for _ in range(16)] for _ in range(4)]
    for s in shuffles:
        for a, b in ((vecs[0], vecs[2]), (vecs[3], vecs[4])):
            m.call("i8x16.shuffle", [a, b], imm=s)
    idx = [join(list(range(16)), 8), join(list(range(15, -1, -1)), 8), join([16, 17, 31, 32, 0x7f, 0x80, 0xff, 0xf0,
                                                                              15, 0, 1, 14, 0x10, 0x8f, 0x40, 3], 8),
           join([i * 17 & 0xff for i in range(16)], 8), r128()]
    for i in idx:
        for v in vecs[:3]:
            m.call("i8x16.swizzle", [v, i])
    pats = vecs + [0, mask(128), r128(), r128()]
    for o in ("v128.and", "v128.andnot", "v128.or", "v128.xor"):
        for a, b in zip(pats, pats[3:] + pats[:3]):
            m.call(o, [a, b])
    for a in pats:
        m.call("v128.not", [a])
    for k in range(len(pats) - 2):
        m.call("v128.bitselect", [pats[k], pats[k + 1], pats[k + 2]])
    for v in [0, mask(128), 1, 1 << 127, 1 << 64, 1 << 63] + [0x80 << (8 * k) for k in range(16)]:
        m.call("v128.any_true", [v])
    return m


PAT0 = bytes((0x80 + i * 0x29) & 0xff for i in range(64))
PAT1 = bytes((0xfe - i * 0x13) & 0xff for i in range(64))


def memargs(ins):
    """Memory immediates to try: natural, every smaller alignment, offsets near the limits."""
    nat = ins.imm[1]
    out = [(0, nat)] + [(1, a) for a in range(nat)] + [(2, nat), (65520, nat), (4294967295, 0), (4294967280, nat)]
    return out


def load_family():
    m = Module("loads: full, extending, splat, zero, lanes; bounds and offsets", memory=1,
               data=[(0, PAT0), (65472, PAT1)])
    addrs = [0, 1, 7, 8, 15, 16, 33, 65472, 65500, 65520, 65528, 65532, 65534, 65535, 65536, 65537,
             0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff]
    for name, ins in INSTRS.items():
        if not is_mem(ins) or ins.imm[0] != "mem" or ins.results != ["v128"]:
            continue
        for k, ma in enumerate(memargs(ins)):
            for a in (addrs if k == 0 else addrs[::3] + [16, 65520 - ma[0]] if ma[0] < 65536 else [0, 1, 16]):
                m.call(name, [a & mask(32)], imm=ma)
    v = join(list(range(0xa0, 0xb0)), 8)
    for name, ins in INSTRS.items():
        if is_mem(ins) and ins.imm[0] == "memlane" and ins.results:
            for lane in sorted({0, 1, ins.imm[2] - 1}):
                for ma in [(0, ins.imm[1]), (3, 0), (4294967295, 0)]:
                    for a in (0, 5, 65472, 65535, 65536 - (1 << ins.imm[1]), 65537 - (1 << ins.imm[1]), 0xffffffff):
                        m.call(name, [a, v], imm=ma + (lane,))
    return m


def store_family():
    m = Module("stores: v128.store and lane stores; bounds, offsets, no partial writes", memory=1,
               data=[(0, PAT0), (65472, PAT1)])
    rnd = random.Random(7)
    peeks = lambda ea: sorted({x for x in (ea - 8, ea, ea + 8, ea + 16) if 0 <= x <= 65528})
    check = [0, 8, 65520, 65528]
    for name, ins in INSTRS.items():
        if not is_mem(ins) or ins.results:
            continue
        n = 1 << ins.imm[1]
        lanes_ = sorted({0, 1, ins.imm[2] - 1}) if ins.imm[0] == "memlane" else [None]
        for lane in lanes_:
            for ma in [(0, ins.imm[1]), (1, 0), (65520, ins.imm[1]), (4294967295, 0), (4294967280, ins.imm[1])]:
                imm = ma if lane is None else ma + (lane,)
                for a in (0, 3, 8, 65536 - n, 65537 - n, 65535, 65536, 16, 0xffffffff, 0xfffffff0):
                    m.call(name, [a, rnd.getrandbits(128)], imm=imm)
                    ea = a + ma[0]
                    for p in (peeks(ea) if ea + n <= 65536 else check):
                        m.call("i64.load", [p], imm=(0, 3))
    z = Module("memory of size zero", memory=0)
    for name in ("v128.load", "v128.load8_splat", "v128.load32_zero", "v128.load8x8_s"):
        z.call(name, [0], imm=(0, INSTRS[name].imm[1]))
    z.call("v128.store", [0, 0], imm=(0, 4))
    z.call("v128.store8_lane", [0, 0], imm=(0, 0, 0))
    z.call("v128.load8_lane", [0, 0], imm=(0, 0, 15))
    return [m, z]


# -------------------------------------------------- v128.const literals

def const_family():
    """v128.const in every lane shape and literal form, checked against its bytes."""
    cases = [
        ("i8x16", "0 1 -1 127 -128 255 0x7f 0x80 0xff -0x80 +1 1_0 0x1_f -0 0 0"),
        ("i16x8", "0 -32768 32767 65535 0xffff -0x8000 1_000 +0x7fff"),
        ("i32x4", "-2147483648 4294967295 0x8000_0000 +1"),
        ("i32x4", "0 -1 0x7fffffff 123_456_789"),
        ("i64x2", "-9223372036854775808 18446744073709551615"),
        ("i64x2", "0x7fff_ffff_ffff_ffff -0x1"),
        ("f32x4", "0 -0 0.1 -1.5"), ("f32x4", "1e38 3.4028235e38 -3.4028234e38 1e-45"),
        ("f32x4", "0x1p-149 0x1.fffffep127 inf -inf"), ("f32x4", "nan -nan nan:0x1 -nan:0x7fffff"),
        ("f32x4", "16777217 16777219 0x1.000001p0 0x1.0000011p0"),
        ("f32x4", "1.00000005960464477539 1.00000017881393432617 7e-46 0x1p-150"),
        ("f32x4", "1_000.000_1 0x1_0.8p-1 +3 -5.e-1"),
        ("f64x2", "0 -0"), ("f64x2", "0.1 -1e308"), ("f64x2", "1.7976931348623157e308 5e-324"),
        ("f64x2", "0x1p-1074 0x1.fffffffffffffp1023"), ("f64x2", "inf -inf"),
        ("f64x2", "nan:0x1 -nan:0xfffffffffffff"), ("f64x2", "9007199254740993 0x1.00000000000008p0"),
        ("f64x2", "2.4703282292062328e-324 2.4703282292062327e-324"),
    ]
    out = [";; v128.const in every lane shape; expected values are the same bytes as i32x4"]
    funcs, asserts = [], []
    for k, (shape, text) in enumerate(cases):
        toks = text.split()
        w = shape_w(shape)
        if shape[0] == "f":
            F = F32 if w == 32 else F64
            bits = [parse_float_lit(F, t) for t in toks]
        else:
            bits = [int(t.replace("_", ""), 0) & mask(w) for t in toks]
        v = join(bits, w)
        funcs.append('  (func (export "c%d") (result v128) (v128.const %s %s))' % (k, shape, text))
        asserts.append('(assert_return (invoke "c%d") (v128.const i32x4 %s))'
                       % (k, " ".join("0x%08x" % x for x in lanes(v, 32))))
    return "\n".join(out + ["(module"] + funcs + [")"] + asserts) + "\n"


# -------------------------------------------------------- validation

WRONG = {"v128": "i32", "i32": "v128", "i64": "i32", "f32": "f64", "f64": "f32"}


def func_text(ins, imm_t, params, results, mem):
    ps = " ".join("(local.get %d)" % i for i in range(len(params)))
    return "(module%s (func%s%s (%s%s %s)))" % (
        " (memory 1)" if mem else "", " (param %s)" % " ".join(params) if params else "",
        " (result %s)" % " ".join(results) if results else "", ins.name, imm_t, ps)


def default_imm(ins):
    if ins.imm is None:
        return ""
    if ins.imm == "shuffle":
        return " " + " ".join(["0"] * 16)
    if ins.imm == "v128":
        return " i32x4 0 0 0 0"
    if ins.imm[0] == "lane":
        return " 0"
    return " 0" if ins.imm[0] == "memlane" else ""


def validation():
    out = []
    a = out.append
    for name, ins in INSTRS.items():
        if ins.prefix != 0xfd:
            continue
        mem = is_mem(ins)
        imm = default_imm(ins)
        # every operand of the wrong type, a missing operand, a wrong result type
        for k, t in enumerate(ins.params):
            ps = list(ins.params)
            ps[k] = WRONG[t]
            a('(assert_invalid %s "type mismatch")' % func_text(ins, imm, ps, ins.results, mem))
        if ins.params:
            a('(assert_invalid (module%s (func%s (%s%s))) "type mismatch")' % (
                " (memory 1)" if mem else "", " (result %s)" % ins.results[0] if ins.results else "", name, imm))
        wrong_r = [WRONG[ins.results[0]]] if ins.results else ["i32"]
        a('(assert_invalid %s "type mismatch")' % func_text(ins, imm, ins.params, wrong_r, mem))
        if mem:
            a('(assert_invalid %s "unknown memory")' % func_text(ins, imm, ins.params, ins.results, False))
            lane = " 0" if ins.imm[0] == "memlane" else ""
            a('(assert_invalid %s "alignment must not be larger than natural")' % func_text(
                ins, " align=%d%s" % (2 << ins.imm[1], lane), ins.params, ins.results, True))
            a('(assert_invalid %s "alignment must not be larger than natural")' % func_text(
                ins, " offset=0 align=%d%s" % (1 << 16, lane), ins.params, ins.results, True))
            a('(assert_malformed (module quote "(memory 1) (func (param %s) (%s align=3%s %s) %s)") "alignment")'
              % (" ".join(ins.params), name, lane, " ".join("(local.get %d)" % i for i in range(len(ins.params))),
                 "drop" if ins.results else ""))
        if isinstance(ins.imm, tuple) and ins.imm[0] in ("lane", "memlane"):
            n = ins.imm[1] if ins.imm[0] == "lane" else ins.imm[2]
            pre = " align=1" if ins.imm[0] == "memlane" else ""
            for bad in (n, n + 1, 255):
                a('(assert_invalid %s "invalid lane index")' % func_text(
                    ins, "%s %d" % (pre, bad), ins.params, ins.results, mem))
            for bad in ("256", "-1", "0x100"):
                a('(assert_malformed (module quote "%s") "malformed lane index")' % func_text(
                    ins, "%s %s" % (pre, bad), ins.params, ins.results, mem)[len("(module "):-1]
                  .replace('"', '\\"'))
    sh = INSTRS["i8x16.shuffle"]
    for pos, bad in ((0, 32), (15, 32), (7, 255), (3, 100)):
        lanes_ = [0] * 16
        lanes_[pos] = bad
        a('(assert_invalid %s "invalid lane index")' % func_text(sh, " " + " ".join(map(str, lanes_)),
                                                                sh.params, sh.results, False))
    for lanes_t, msg in (("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14", "invalid lane length"),
                         ("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "invalid lane length"),
                         ("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 256", "malformed lane index"),
                         ("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1", "malformed lane index"),
                         ("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1.0", "malformed lane index")):
        a('(assert_malformed (module quote "(func (param v128) (result v128) (i8x16.shuffle %s '
          '(local.get 0) (local.get 0)))") "%s")' % (lanes_t, msg))
    # v128.const: lane count, range, token kinds
    for shape, ok, bad in (("i8x16", "0", ["256", "-129", "0x100"]), ("i16x8", "0", ["65536", "-32769"]),
                           ("i32x4", "0", ["4294967296", "-2147483649", "0x1_0000_0000"]),
                           ("i64x2", "0", ["18446744073709551616", "-9223372036854775809"]),
                           ("f32x4", "0", ["1e39", "-3.4028236e38", "0x1p128", "nan:0x800000", "nan:0x0"]),
                           ("f64x2", "0", ["1e309", "0x1p1024", "nan:0x10000000000000", "nan:0"])):
        n = 128 // shape_w(shape)
        for b in bad:
            lit = " ".join([ok] * (n - 1) + [b])
            a('(assert_malformed (module quote "(func (v128.const %s %s) drop)") "constant out of range")'
              % (shape, lit))
        a('(assert_malformed (module quote "(func (v128.const %s %s) drop)") "wrong number of lane literals")'
          % (shape, " ".join([ok] * (n - 1))))
        a('(assert_malformed (module quote "(func (v128.const %s %s) drop)") "wrong number of lane literals")'
          % (shape, " ".join([ok] * (n + 1))))
    for bad in ("i8x8 0 0 0 0 0 0 0 0", "0 0 0 0", "i32x4 0.5 0 0 0", "i32x4 0 0 0 nan", "v128 0 0",
                "f32x4 0 0 0 $x", "i16x8 0 0 0 0 0 0 0 \\\"0\\\""):
        a('(assert_malformed (module quote "(func (v128.const %s) drop)") "unexpected token")' % bad)
    a('(assert_invalid (module (func (result i32) (v128.const i32x4 0 0 0 0))) "type mismatch")')
    a('(assert_invalid (module (func (v128.const i32x4 0 0 0 0) (i64x2.extract_lane 0) (i32.eqz) drop)) "type mismatch")')
    a('(assert_invalid (module (global v128 (i32.const 0))) "type mismatch")')
    a('(assert_invalid (module (global (mut v128) (v128.const i32x4 0 0 0 0)) (func (global.set 0 (i32.const 0)))) '
      '"type mismatch")')
    a('(assert_invalid (module (func (param v128) (result v128) (select (local.get 0) (i32.const 0) (i32.const 1)))) '
      '"type mismatch")')
    a('(assert_invalid (module (func (result v128) (i8x16.add (v128.const i32x4 0 0 0 0) (v128.const i32x4 0 0 0 0)) '
      '(i32.const 0))) "type mismatch")')
    # v128 works in locals, globals, blocks, select with a type, params and results
    a('(module (global $g (mut v128) (v128.const i64x2 1 2))'
      ' (func (export "mix") (param v128 i32) (result v128) (local v128)'
      ' (local.set 2 (select (result v128) (local.get 0) (global.get $g) (local.get 1)))'
      ' (global.set $g (i32x4.add (local.get 2) (v128.const i32x4 1 1 1 1)))'
      ' (block (result v128) (global.get $g))))')
    # the global starts as i32x4 1 0 2 0; each call adds 1 to the selected value and keeps it
    for cond, want in ((0, "2 1 3 1"), (1, "6 7 8 9"), (0, "7 8 9 10")):
        a('(assert_return (invoke "mix" (v128.const i32x4 5 6 7 8) (i32.const %d)) (v128.const i32x4 %s))'
          % (cond, want))
    return "\n".join(out) + "\n" + linking_tests() + binary_tests()


def linking_tests():
    """A v128 is one value, not two 64-bit ones: signatures and globals must not match by size."""
    return ''';; v128 in signatures, call_indirect, imports and globals
(module $m
  (func (export "v") (param v128) (result v128) (local.get 0))
  (func (export "ll") (param i64 i64) (result i64 i64) (local.get 0) (local.get 1))
  (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (global (export "v0") v128 (v128.const f32x4 1 -0 inf nan:0x1))
  (table 2 funcref)
  (elem (i32.const 0) 0 1)
  (type $vv (func (param v128) (result v128)))
  (type $ll (func (param i64 i64) (result i64 i64)))
  (type $dd (func (param f64 f64) (result f64 f64)))
  (func (export "call-ll-as-v") (result v128) (call_indirect (type $vv) (v128.const i64x2 1 2) (i32.const 1)))
  (func (export "call-v-as-ll") (result i64 i64) (call_indirect (type $ll) (i64.const 1) (i64.const 2) (i32.const 0)))
  (func (export "call-v-as-dd") (result f64 f64) (call_indirect (type $dd) (f64.const 1) (f64.const 2) (i32.const 0)))
  (func (export "call-v") (result v128) (call_indirect (type $vv) (v128.const i64x2 1 2) (i32.const 0)))
  (func (export "select") (param v128 v128 i32) (result v128) (select (local.get 0) (local.get 1) (local.get 2))))
(register "m" $m)
(assert_trap (invoke "call-ll-as-v") "indirect call type mismatch")
(assert_trap (invoke "call-v-as-ll") "indirect call type mismatch")
(assert_trap (invoke "call-v-as-dd") "indirect call type mismatch")
(assert_return (invoke "call-v") (v128.const i64x2 1 2))
(assert_return (invoke "select" (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8) (i32.const 0))
  (v128.const i32x4 5 6 7 8))
(assert_return (get "g") (v128.const i32x4 1 2 3 4))
(assert_unlinkable (module (import "m" "v" (func (param i64 i64) (result i64 i64)))) "incompatible import type")
(assert_unlinkable (module (import "m" "ll" (func (param v128) (result v128)))) "incompatible import type")
(assert_unlinkable (module (import "m" "g" (global (mut i64)))) "incompatible import type")
(assert_unlinkable (module (import "m" "g" (global v128))) "incompatible import type")
(module (import "m" "g" (global $g (mut v128)))
  (func (export "double") (global.set $g (i32x4.add (global.get $g) (global.get $g)))))
(invoke "double")
(assert_return (get $m "g") (v128.const i32x4 2 4 6 8))
(assert_invalid (module (global (import "m" "g") (mut v128)) (global v128 (global.get 0)))
  "constant expression required")
;; 2.0: an initializer reads imported globals only
(assert_invalid (module (global $c v128 (v128.const f32x4 1 2 3 4)) (global v128 (global.get $c))) "unknown global")
(module (global (import "m" "v0") v128) (global (export "c2") v128 (global.get 0)))
(assert_return (get "c2") (v128.const i32x4 0x3f800000 0x80000000 0x7f800000 0x7f800001))
'''



# ------------------------------------------------ binary encodings

def uleb(x, n=0):
    """Unsigned LEB128, padded with continuation bytes to n bytes."""
    out = bytearray()
    while True:
        out.append(x & 0x7f)
        x >>= 7
        if not x and len(out) >= n:
            return bytes(out)
        out[-1] |= 0x80


def section(id_, body):
    return bytes([id_]) + uleb(len(body)) + body


def binary_module(params, results, body, memory=False):
    """One exported function "f" with the given code (without the end byte)."""
    T = {"i32": 0x7f, "i64": 0x7e, "f32": 0x7d, "f64": 0x7c, "v128": 0x7b}
    ty = bytes([1, 0x60, len(params)] + [T[t] for t in params] + [len(results)] + [T[t] for t in results])
    code = bytes([0]) + body + bytes([0x0b])
    m = b"\0asm" + bytes([1, 0, 0, 0]) + section(1, ty) + section(3, bytes([1, 0]))
    if memory:
        m += section(5, bytes([1, 0, 1]))
    m += section(7, bytes([1, 1]) + b"f" + bytes([0, 0]))
    m += section(10, bytes([1]) + uleb(len(code)) + code)
    return "(module binary %s)" % " ".join('"%s"' % "".join("\\%02x" % b for b in m[i:i + 16])
                                            for i in range(0, len(m), 16))


def binary_tests():
    out = [";; binary encodings: padded and overlong sub-opcodes, unassigned opcodes, lane bytes"]
    a = out.append
    get = bytes([0x20, 0, 0x20, 1])
    add = INSTRS["i32x4.add"].code            # 174: two LEB bytes
    for pad in (2, 3, 5):
        a(binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd]) + uleb(add, pad)))
        a('(assert_return (invoke "f" (v128.const i32x4 1 2 3 0xffffffff) (v128.const i32x4 10 20 30 1))'
          ' (v128.const i32x4 11 22 33 0))')
    a('(assert_malformed %s "integer representation too long")'
      % binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd]) + uleb(add, 6)))
    a('(assert_malformed %s "integer too large")'
      % binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd, 0xae, 0x81, 0x80, 0x80, 0x10])))
    used = {i.code for i in INSTRS.values() if i.prefix == 0xfd}
    for c in [c for c in range(256) if c not in used] + [256, 300, 0x7fffffff, 0xffffffff]:
        a('(assert_malformed %s "illegal opcode")'
          % binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd]) + uleb(c)))
    # lane bytes are raw bytes, not LEB128: 0x80 is lane 128, never a continuation
    ext = INSTRS["i8x16.extract_lane_u"].code
    a('(assert_invalid %s "invalid lane index")' % binary_module(["v128"], ["i32"], bytes([0x20, 0, 0xfd, ext, 16])))
    a('(assert_invalid %s "invalid lane index")'
      % binary_module(["v128"], ["i32"], bytes([0x20, 0, 0xfd, ext, 0x80, 0x00])))
    a(binary_module(["v128"], ["i32"], bytes([0x20, 0, 0xfd, ext, 15])))
    a('(assert_return (invoke "f" (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0xfe)) (i32.const 254))')
    # shuffle immediates are 16 raw bytes; v128.const is 16 raw bytes
    a(binary_module([], ["v128"], bytes([0xfd, 12]) + bytes(range(0x80, 0x90))))
    a('(assert_return (invoke "f") (v128.const i8x16 %s))' % " ".join(str(x - 256) for x in range(0x80, 0x90)))
    a('(assert_malformed %s "unexpected end")' % binary_module([], ["v128"], bytes([0xfd, 12]) + bytes(8)))
    shuf = INSTRS["i8x16.shuffle"].code
    a(binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd, shuf]) + bytes(range(31, 15, -1))))
    a('(assert_return (invoke "f" (v128.const i32x4 0 0 0 0) (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))'
      ' (v128.const i8x16 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0))')
    a('(assert_invalid %s "invalid lane index")'
      % binary_module(["v128", "v128"], ["v128"], get + bytes([0xfd, shuf]) + bytes([32] + [0] * 15)))
    # memarg alignment exponent above natural in binary; memory lane after the memarg
    ld = INSTRS["v128.load"].code
    a('(assert_invalid %s "alignment must not be larger than natural")'
      % binary_module(["i32"], ["v128"], bytes([0x20, 0, 0xfd, ld, 5, 0]), memory=True))
    l8 = INSTRS["v128.load8_lane"].code
    a('(assert_invalid %s "invalid lane index")'
      % binary_module(["i32", "v128"], ["v128"], get + bytes([0xfd, l8, 0, 0, 16]), memory=True))
    a(binary_module(["i32", "v128"], ["v128"], get + bytes([0xfd, l8, 0, 0xff, 0xff, 0x83, 0x80, 0x00, 15]),
                    memory=True))     # offset 65535 in a padded LEB128, lane 15
    a('(assert_return (invoke "f" (i32.const 0) (v128.const i64x2 -1 -1)) (v128.const i64x2 -1 0x00ffffffffffffff))')
    a('(assert_trap (invoke "f" (i32.const 1) (v128.const i64x2 0 0)) "out of bounds memory access")')
    return "\n".join(out) + "\n"


# ------------------------------------------------------------- output

def header(name, what):
    return (";; %s - generated by scripts/gen-wasm-simd-tests.py (do not edit):\n"
            ";; %s; expected values computed by an\n;; independent Python model of the spec.\n\n" % (name, what))


def main():
    global OUT
    json_path, args = None, sys.argv[1:]
    while len(args) >= 2 and args[0] in ("--json", "--out"):
        if args[0] == "--json":
            json_path = args[1]
        else:
            OUT = args[1]
        args = args[2:]
    if args:
        sys.exit(__doc__)
    files = [
        ("simd_int.wast", [int_family(), widen_family()]),
        ("simd_f32x4.wast", [float_family("f32x4")]),
        ("simd_f64x2.wast", [float_family("f64x2")]),
        ("simd_conv.wast", [conv_family()]),
        ("simd_lanes.wast", [lane_family()]),
        ("simd_mem.wast", [load_family()] + store_family()),
    ]
    modules = []
    for name, mods in files:
        with open(os.path.join(OUT, name), "w") as f:
            f.write(header(name, "; ".join(m.title for m in mods)))
            for m in mods:
                f.write(";; %s\n%s\n" % (m.title, m.wast()))
        modules += mods
    with open(os.path.join(OUT, "simd_syntax.wast"), "w") as f:
        f.write(header("simd_syntax.wast", "v128.const literals, validation and malformed text/binary"))
        f.write(const_family() + "\n" + validation())
    missing = sorted(set(INSTRS) - {ins.name for m in modules for ins, _ in m.funcs.values()} - {"v128.const"})
    if missing:
        sys.exit("instructions without cases: " + ", ".join(missing))
    if json_path:
        with open(json_path, "w") as f:
            json.dump([m.json() for m in modules], f)


if __name__ == "__main__":
    main()
