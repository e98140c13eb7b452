/* deltagrad's live pages: the float math of autograd/operators.py, Python's number formats, and one
   forward and backward pass over a graph sent as data (autograd/playground/program.py).
   JavaScript's Math functions (exp, tanh, log, sin, cos, pow) may differ from C's in the last bit;
   Python's numbers are the checked ones. */
var py = (function () {
  "use strict";
  function PyError(type, message) { this.type = type; this.message = message; }
  function raise(type, message) { throw new PyError(type, message); }
  function isInf(x) { return x === Infinity || x === -Infinity; }

  /* repr(x) of a Python float: shortest round-trip digits, exponent below 1e-4 and from 1e16 */
  function repr(x) {
    if (x !== x) { return "nan"; }
    if (isInf(x)) { return x > 0 ? "inf" : "-inf"; }
    if (x === 0) { return Object.is(x, -0) ? "-0.0" : "0.0"; }
    var m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
    var sign = m[1], digits = m[2] + (m[3] || ""), e = parseInt(m[4], 10);
    if (e < -4 || e >= 16) {
      var a = Math.abs(e);
      return sign + digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + (e < 0 ? "-" : "+") +
        (a < 10 ? "0" : "") + a;
    }
    if (e < 0) { return sign + "0." + "0".repeat(-e - 1) + digits; }
    while (digits.length < e + 1) { digits += "0"; }
    return sign + digits.slice(0, e + 1) + "." + (digits.slice(e + 1) || "0");
  }
  /* the full number for data-value: float(text) in Python gives it back exactly (also -0.0) */
  function full(x) { return Object.is(x, -0) ? "-0.0" : String(x); }
  /* |x| exactly as N / 10^s (a double is m·2^e, and m/2^k = m·5^k/10^k): Python's formats round this exact
     value half to even; JavaScript's toFixed/toPrecision round ties away from zero, so they are not used */
  function exact(x) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(x));
    var hi = view.getUint32(0), lo = view.getUint32(4), e2 = (hi >>> 20) & 0x7ff;
    var m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (e2 === 0) { e2 = 1; } else { m |= 1n << 52n; }
    e2 -= 1075;
    return e2 >= 0 ? { n: m << BigInt(e2), s: 0 } : { n: m * 5n ** BigInt(-e2), s: -e2 };
  }
  function halfEven(n, drop) {  /* n / 10^drop rounded half to even (drop > 0) */
    var d = 10n ** BigInt(drop), q = n / d, r = n % d, twice = 2n * r;
    return twice > d || (twice === d && q % 2n === 1n) ? q + 1n : q;
  }
  function fixed(x, f) {  /* f"{x:.{f}f}" for finite x */
    var v = exact(x), q = v.s > f ? halfEven(v.n, v.s - f) : v.n * 10n ** BigInt(f - v.s), t = q.toString();
    while (t.length <= f) { t = "0" + t; }
    var sign = x < 0 || Object.is(x, -0) ? "-" : "";
    return sign + (f ? t.slice(0, t.length - f) + "." + t.slice(t.length - f) : t);
  }
  function g(x, p) {  /* f"{x:.{p}g}" for finite x */
    if (x === 0) { return Object.is(x, -0) ? "-0" : "0"; }
    var v = exact(x), D = v.n.toString(), e = D.length - 1 - v.s, drop = D.length - p, digits;
    if (drop > 0) {
      digits = halfEven(v.n, drop).toString();
      if (digits.length > p) { digits = digits.slice(0, p); e += 1; }
    } else { digits = D + "0".repeat(-drop); }
    var sign = x < 0 ? "-" : "", text;
    if (e >= -4 && e < p) {
      text = e >= 0 ? digits.slice(0, e + 1) + "." + digits.slice(e + 1) : "0." + "0".repeat(-e - 1) + digits;
      return sign + strip(text);
    }
    var a = Math.abs(e);
    return sign + strip(digits[0] + "." + digits.slice(1)) + "e" + (e < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
  }
  function strip(s) { return s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, ""); }
  /* autograd.drawing.labels.fmt_sig: p significant digits, compact exponent (1e-5) */
  function sig(x, p) {
    if (x !== x) { return "nan"; }
    if (isInf(x)) { return x > 0 ? "inf" : "-inf"; }
    return g(x, p).replace(/e([+-])0*(\d)/, function (_, s, d) { return "e" + (s === "-" ? "-" : "") + d; });
  }
  /* autograd.explain.names.fmt: 4 decimals, or 4 significant digits when tiny or huge; − for - */
  function fmt(x) {
    var text;
    if (x !== x || isInf(x)) { text = repr(x); }
    else if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5)) {
      text = fixed(x, 4);
    } else { text = g(x, 4); }
    return text.replace(/-/g, "\u2212");
  }

  /* autograd/operators.py */
  function divide(a, b) {
    if (b === 0) { raise("ZeroDivisionError", "division of " + repr(a) + " by zero; guard the denominator (for example b + 1e-12)"); }
    return a / b;
  }
  function exp(x) {
    var y = Math.exp(x);
    if (y === Infinity && x !== Infinity) {
      raise("OverflowError", "e**" + repr(x) + " does not fit in a float (the limit is x <= 709.78); scale the input down or use a numerically stable formula");
    }
    return y;
  }
  function log(x) {
    if (!(x > 0) && x === x) { raise("ValueError", "log is only defined for inputs > 0, got " + repr(x) + "; clamp the input or add a small epsilon"); }
    return Math.log(x);
  }
  function sqrt(x) {
    if (x < 0) { raise("ValueError", "sqrt is only defined for inputs >= 0, got " + repr(x) + "; use abs() or clamp the input"); }
    return Math.sqrt(x);
  }
  function periodic(name, f) {
    return function (x) {
      if (x - x !== 0 && x === x) {
        raise("ValueError", name + " is only defined for finite inputs, got " + repr(x) + "; find where the infinity came from (an overflow or a division by zero before it)");
      }
      return f(x);
    };
  }
  function sigmoid(x) {
    if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
    var e = Math.exp(x);
    return e / (1 + e);
  }
  function softplus(x) { return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x))); }
  /* C's pow (which Python's math.pow and ** follow): 1 for x = 1 or n = 0, also with NaN or ±inf */
  function cpow(x, n) {
    if (n === 0 || x === 1 || (x === -1 && isInf(n))) { return 1; }
    return Math.pow(x, n);
  }
  function power(x, n) {
    if (x === 0 && n < 0) { raise("ZeroDivisionError", "0.0 ** " + repr(n) + " is undefined (0 to a negative power)"); }
    if (x < 0 && !Number.isInteger(n)) {
      raise("ValueError", repr(x) + " ** " + repr(n) + " is not a real number (a negative base needs an integer exponent)");
    }
    var y = cpow(x, n);
    if (isInf(y) && isFinite(x) && isFinite(n)) { raise("OverflowError", repr(x) + " ** " + repr(n) + " does not fit in a float"); }
    return y;
  }
  function floatPow(x, n) { /* Python's float ** in a derivative (its inputs passed the forward's checks) */
    var y = cpow(x, n);
    if (isInf(y) && isFinite(x) && isFinite(n)) { raise("OverflowError", "(34, 'Numerical result out of range')"); }
    return y;
  }
  function dPower(x, n) {
    if (n === 0 || n === 1) { return n; }
    if (x === 0 && n < 1) { return Infinity; }
    return n * floatPow(x, n - 1);
  }
  function dExponent(base, y) { return base > 0 ? y * Math.log(base) : (base === 0 && y === y ? 0 : NaN); }
  function sign(x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }
  function total(xs) { var r = 0; for (var i = 0; i < xs.length; i++) { r += xs[i]; } return r; }
  function linear(xs) {
    var n = (xs.length - 1) >> 1, r = xs[xs.length - 1];
    for (var i = 0; i < n; i++) { r += xs[i] * xs[n + i]; }
    return r;
  }
  function linearC(wb, xs) {
    var r = wb[wb.length - 1];
    for (var i = 0; i < xs.length; i++) { r += wb[i] * xs[i]; }
    return r;
  }
  function ones(n) { var out = []; for (var i = 0; i < n; i++) { out.push(1); } return out; }
  function dLinear(xs) { var n = (xs.length - 1) >> 1; return xs.slice(n, 2 * n).concat(xs.slice(0, n), [1]); }
  function dLinearC(c) { return c.concat([1]); }
  function linearOrder(n) {
    var k = n >> 1, out = [];
    for (var i = 0; i < k; i++) { out.push(i, k + i); }
    out.push(n - 1);
    return out;
  }
  function number(v) { return typeof v === "string" ? Number(v) : v; }  /* JSON has no nan/inf: sent as text */

  /* One graph, sent as data: op[i] (an OPS key, or null for a leaf), ins[i] (parent indices), c[i]. */
  function Graph(data, OPS) {
    this.n = data.op.length;
    this.op = data.op.map(function (k) { return k === null ? null : OPS[k]; });
    this.key = data.op;
    this.ins = data.ins;
    this.c = data.c.map(function (c) { return Array.isArray(c) ? c.map(number) : (c === null ? null : number(c)); });
    this.value = data.data.map(function (v) { return v === null ? NaN : number(v); });
    this.grad = new Float64Array(this.n);
    this.failed = new Uint8Array(this.n);
    this.back = data.back;
    this.topo = [];
    for (var i = 0; i < this.n; i++) { if (this.op[i] !== null) { this.topo.push(i); } }
    this.edges = null;
  }
  Graph.prototype.inputs = function (i) {
    var ins = this.ins[i], xs = new Array(ins.length);
    for (var k = 0; k < ins.length; k++) { xs[k] = this.value[ins[k]]; }
    return xs;
  };
  /* The forward pass over the interior nodes `nodes` (default: all, parents first). Returns the errors
     [{node, type, message}]; a failed node and everything computed from it are marked in `failed`. */
  Graph.prototype.forward = function (nodes) {
    var errors = [], list = nodes || this.topo, i, k, v, ins;
    for (k = 0; k < list.length; k++) {
      v = list[k];
      ins = this.ins[v];
      this.failed[v] = 0;
      for (i = 0; i < ins.length; i++) { if (this.failed[ins[i]]) { this.failed[v] = 2; } }
      if (this.failed[v]) { this.value[v] = NaN; continue; }
      try { this.value[v] = this.op[v].f(this.inputs(v), this.c[v]); }
      catch (e) {
        if (!(e instanceof PyError)) { throw e; }
        this.failed[v] = 1;
        this.value[v] = NaN;
        errors.push({ node: v, type: e.type, message: e.message });
      }
    }
    return errors;
  };
  /* root.backward() after zero_grad(): every gradient from 0, the root's 1, then each node in
     backward()'s order adds ∂L/∂v · ∂v/∂p into each parent p (in the order backward() does). With
     `record`, this.edges[v][position] = [upstream, local, contribution, before, total]. */
  Graph.prototype.backward = function (root, record) {
    var grad = this.grad, back = this.back, k, i, v, ins, d, order, g, p, before;
    grad.fill(0);
    grad[root] = 1;
    this.edges = record ? {} : null;
    for (k = 0; k < back.length; k++) {
      v = back[k];
      ins = this.ins[v];
      g = grad[v];
      try { d = this.op[v].d(this.inputs(v), this.value[v], this.c[v]); }
      catch (e) {
        if (!(e instanceof PyError)) { throw e; }
        return { node: v, type: e.type, message: e.message };
      }
      order = this.op[v].order ? this.op[v].order(ins.length) : null;
      if (record) { this.edges[v] = new Array(ins.length); }
      for (i = 0; i < ins.length; i++) {
        var at = order ? order[i] : i;
        p = ins[at];
        before = grad[p];
        grad[p] = before + g * d[at];
        if (record) { this.edges[v][at] = [g, d[at], g * d[at], before, grad[p]]; }
      }
    }
    return null;
  };

  return { PyError: PyError, repr: repr, full: full, sig: sig, fmt: fmt, divide: divide, exp: exp, log: log,
           sqrt: sqrt, sin: periodic("sin", Math.sin), cos: periodic("cos", Math.cos), sigmoid: sigmoid,
           softplus: softplus, power: power, dPower: dPower, dExponent: dExponent, dPowExponent: dExponent,
           sign: sign, total: total, linear: linear, linearC: linearC, ones: ones, dLinear: dLinear,
           dLinearC: dLinearC, linearOrder: linearOrder, number: number, Graph: Graph };
}());
