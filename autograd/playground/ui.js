/* The playground page: a slider per leaf; every change reruns the forward and backward pass. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pg-data").textContent);
  var G = new py.Graph(data, OPS);
  var names = data.names, P = data.precision, root = data.root, linear = {};
  var start = G.value.slice(), cells = [], rows = {}, reference = null, selected = null, computed = false;
  var i;
  data.linear.forEach(function (v) { linear[v] = true; });
  var errorBox = document.getElementById("pg-error"), line = document.getElementById("pg-line");

  for (i = 0; i < G.n; i++) {
    var cell = { group: document.getElementById("dg-v" + i), data: null, grad: null };
    if (cell.group) {
      cell.data = cell.group.querySelector("text[data-field=data]");
      cell.grad = cell.group.querySelector("text[data-field=grad]");
    }
    cells.push(cell);
  }

  function parseNumber(text) {  /* what Python's float() reads: decimals, exponents, nan, inf, infinity */
    var t = text.trim().toLowerCase();
    if (/^[+-]?nan$/.test(t)) { return NaN; }
    if (/^[+-]?inf(inity)?$/.test(t)) { return t[0] === "-" ? -Infinity : Infinity; }
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) { return Number(t); }
    return null;
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function around(x) {
    if (!isFinite(x)) { return [-1, 1]; }
    var s = Math.max(1, Math.abs(x));
    if (!isFinite((x + s) - (x - s))) { return [Math.min(x, 0), Math.max(x, 0)]; }  /* near the largest float */
    return [x - s, x + s];
  }

  /* one row per leaf: name, lower bound, slider, upper bound, value box, message */
  var panel = document.getElementById("pg-leaves");
  ["leaf", "from", "slider", "to", "value", ""].forEach(function (h) { panel.appendChild(el("span", { "class": "pg-head" }, h)); });
  function addRow(v) {
    var name = names[v], b = around(G.value[v]);
    var row = {
      v: v, lo: b[0], hi: b[1],
      label: el("span", { "class": "pg-name", title: name }, name.length > 120 ? name.slice(0, 117) + "…" : name),
      min: el("input", { type: "text", "data-leaf-min": name, "aria-label": "lower bound of " + name }),
      range: el("input", { type: "range", "data-leaf": name, step: "any", "aria-label": name }),
      max: el("input", { type: "text", "data-leaf-max": name, "aria-label": "upper bound of " + name }),
      box: el("input", { type: "text", "data-leaf": name, inputmode: "decimal", "aria-label": "value of " + name }),
      msg: el("span", { "class": "pg-msg", "data-leaf-message": name })
    };
    [row.label, row.min, row.range, row.max, row.box, row.msg].forEach(function (e) { panel.appendChild(e); });
    row.range.addEventListener("input", function () { setLeaf(row, Number(row.range.value)); });
    row.box.addEventListener("change", function () {
      var x = parseNumber(row.box.value);
      if (x === null) {
        row.box.classList.add("pg-invalid");
        row.msg.textContent = "not a number: " + JSON.stringify(row.box.value) + "; " + name + " stays " + py.repr(G.value[v]);
        return;
      }
      var lo = Math.min(row.lo, x), hi = Math.max(row.hi, x);
      if (isFinite(x) && isFinite(hi - lo)) { row.lo = lo; row.hi = hi; }  /* widened to hold it, if a slider can */
      setLeaf(row, x);
    });
    [row.min, row.max].forEach(function (box) {
      box.addEventListener("change", function () { setBounds(row, box); });
    });
    rows[v] = row;
    showRow(row, "");
  }
  function showRow(row, message) {
    var x = G.value[row.v];
    row.min.value = py.full(row.lo);
    row.max.value = py.full(row.hi);
    row.range.min = String(row.lo);
    row.range.max = String(row.hi);
    if (isFinite(x)) { row.range.value = String(x); }
    row.box.value = py.full(x);
    row.box.classList.remove("pg-invalid");
    if (!message && !isFinite(x)) { message = names[row.v] + " = " + py.repr(x) + ": beyond any slider"; }
    else if (!message && (x < row.lo || x > row.hi)) { message = "outside the slider's bounds"; }
    row.msg.textContent = message;
  }
  function setLeaf(row, x) {
    G.value[row.v] = x;
    showRow(row, "");
    compute();
  }
  function setBounds(row, box) {
    var x = parseNumber(box.value), lo = box === row.min ? x : row.lo, hi = box === row.max ? x : row.hi;
    var problem = x === null ? "not a number: " + JSON.stringify(box.value)
      : !isFinite(x) ? "a bound must be a finite number"
      : !(lo < hi) ? "the lower bound must be below the upper bound (" + py.repr(lo) + " ≥ " + py.repr(hi) + ")"
      : !isFinite(hi - lo) ? "the bounds are too far apart for a slider (their difference overflows)" : "";
    if (problem) { showRow(row, problem + "; the bounds stay " + py.repr(row.lo) + " to " + py.repr(row.hi)); return; }
    row.lo = lo;
    row.hi = hi;
    showRow(row, "");
  }

  function setCell(e, field, x, failed) {
    if (!e) { return; }
    e.textContent = field + " " + (failed ? "—" : py.sig(x, P));
    e.setAttribute("data-value", failed ? "" : py.full(x));
  }
  function describe(err) { return err.type + ": " + data.prefix[err.node] + ": " + err.message + data.notes[err.node]; }

  function compute() {
    var errors = G.forward(), problem = null, v;
    computed = false;
    if (errors.length) {
      problem = describe(errors[0]);
      if (errors.length > 1) { problem += "\n(" + (errors.length - 1) + " more node(s) fail at these values: " + errors.slice(1).map(function (e) { return names[e.node]; }).join(", ") + ")"; }
      document.body.setAttribute("data-state", "forward-error");
    } else {
      var b = G.backward(root, true);
      if (b) {
        problem = b.type + ": backward(): the derivative of op " + JSON.stringify(data.prefix[b.node]) + " at node " + names[b.node] +
          ", inputs (" + G.inputs(b.node).map(py.repr).join(", ") + "), raised " + b.type + ": " + b.message;
        document.body.setAttribute("data-state", "backward-error");
      } else {
        computed = true;
        document.body.setAttribute("data-state", "ok");
      }
    }
    errorBox.textContent = problem ? problem + "\n(Python raises the same error for these values: the graph cannot be computed there.)" : "";
    for (v = 0; v < G.n; v++) {
      setCell(cells[v].data, "data", G.value[v], G.failed[v] !== 0);
      setCell(cells[v].grad, "grad", G.grad[v], !computed);
      var group = cells[v].group;
      if (!group) { continue; }
      var g = G.grad[v], r = reference ? reference[v] : NaN;
      group.classList.toggle("pg-flip", computed && g * r < 0);
      group.classList.toggle("pg-vanish", computed && Math.abs(r) >= 1e-8 && Math.abs(g) < 1e-8);
      group.classList.toggle("pg-bad", (computed && !isFinite(g)) || (!G.failed[v] && !isFinite(G.value[v])));
      group.classList.toggle("pg-failed", G.failed[v] === 1);
    }
    showLine();
  }

  /* the chain-rule step of one edge, as autograd.explain writes it */
  function showLine() {
    if (!selected) { return; }
    var v = selected[0], k = selected[1];
    if (!computed || !G.edges[v]) { line.textContent = "no backward pass at these values (see the error above)"; return; }
    var r = G.edges[v][k], p = data.ins[v][k], L = data.L, nv = names[v], np = names[p];
    var skipped = linear[v] && r[0] === 0 && isFinite(G.value[v]) && (data.ins[v].length % 2 === 1);
    var text = "∂" + L + "/∂" + np + " += ∂" + L + "/∂" + nv + " · ∂" + nv + "/∂" + np + " = (" + py.fmt(r[0]) + ") · " +
      py.fmt(r[1]) + " = " + py.fmt(r[2]) + "   (" + np + ".grad now " + py.fmt(skipped ? r[3] : r[4]) + ")";
    if (data.formulas[v][k]) { text += "   [" + data.formulas[v][k] + "]"; }
    if (skipped) { text += "   — ∂L/∂z = 0: backward() skips adding ±0, which changes nothing"; }
    line.textContent = text;
    line.setAttribute("data-edge", "dg-e" + v + "-" + k);
  }
  function select(edge) {
    var m = /^dg-e(\d+)-(\d+)$/.exec(edge.id);
    var old = document.querySelectorAll("g.pg-selected");
    for (var j = 0; j < old.length; j++) { old[j].classList.remove("pg-selected"); }
    edge.classList.add("pg-selected");
    selected = [parseInt(m[1], 10), parseInt(m[2], 10)];
    showLine();
  }
  var edges = document.querySelectorAll("g.edge");
  Array.prototype.forEach.call(edges, function (edge) {
    if (!/^dg-e\d+-\d+$/.test(edge.id)) { return; }
    var path = edge.querySelector("path");
    if (path) {  /* a wide invisible stroke, so that a thin edge is easy to click */
      var hit = path.cloneNode(false);
      hit.setAttribute("stroke", "transparent");
      hit.setAttribute("stroke-width", "12");
      hit.setAttribute("class", "pg-hit");
      edge.appendChild(hit);
    }
    edge.setAttribute("tabindex", "0");
    edge.setAttribute("role", "button");
    edge.addEventListener("click", function () { select(edge); });
    edge.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); select(edge); } });
  });

  for (i = 0; i < G.n; i++) { if (G.op[i] === null) { addRow(i); } }
  function takeReference() { reference = computed ? Float64Array.from(G.grad) : null; compute(); }
  document.getElementById("pg-reference").addEventListener("click", takeReference);
  document.getElementById("pg-reset").addEventListener("click", function () {
    for (var v in rows) {
      var row = rows[v], b = around(start[row.v]);
      G.value[row.v] = start[row.v];
      row.lo = b[0];
      row.hi = b[1];
      showRow(row, "");
    }
    compute();
    takeReference();
  });
  compute();
  takeReference();
}());
