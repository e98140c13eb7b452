/* nn.playground: gradient descent on the model's graph, in the page; the plane, the loss, the neurons. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pg-data").textContent);
  var G = new py.Graph(data, OPS);
  var root = data.root, params = data.params, names = data.names, cut = data.cut, grid = data.grid;
  var box = data.box.map(py.number), start = G.value.slice();
  var lr = data.lr, steps = 0, losses = [], playing = false, failed = "";
  var status = document.getElementById("pg-status"), errorBox = document.getElementById("pg-error");
  var lossEl = document.getElementById("pg-loss"), accEl = document.getElementById("pg-accuracy");
  var lrBox = document.getElementById("pg-lr"), speedBox = document.getElementById("pg-speed");
  var playButton = document.getElementById("pg-play");
  var allNodes = G.topo.filter(function (v) { return data.sample.indexOf(v) < 0; });  /* the batch's graph */

  /* the parameters' table: [data-param=NAME] holds each one's full number in data-value */
  var table = document.getElementById("pg-params"), cells = [];
  params.forEach(function (p) {
    var tr = document.createElement("tr"), name = document.createElement("td"), value = document.createElement("td");
    name.textContent = names[p];
    value.setAttribute("data-param", names[p]);
    tr.appendChild(name);
    tr.appendChild(value);
    table.appendChild(tr);
    cells.push(value);
  });

  function forward() {
    var errors = G.forward(allNodes);
    if (errors.length) {
      var e = errors[0];
      failed = e.type + " at node " + names[e.node] + ": " + e.message;
    } else if (!isFinite(G.value[root])) {
      failed = "training diverged: the loss became " + py.repr(G.value[root]) + " at update " + (steps + 1) +
        " (after " + steps + " update(s)) with learning rate lr=" + py.repr(lr) + "; try a smaller lr (say " +
        py.repr(lr / 10) + ")";
    }
    return G.value[root];
  }
  function accuracy() {
    var right = 0;
    for (var k = 0; k < data.outs.length; k++) { if ((G.value[data.outs[k]] > cut) === (data.y[k] > cut)) { right++; } }
    return right / data.outs.length;
  }
  /* one step of nn.fit with nn.SGD: zero_grad, backward from E, p.data -= lr * p.grad */
  function step() {
    if (failed) { return false; }
    var b = G.backward(root, false);
    if (b) { failed = b.type + " in backward() at node " + names[b.node] + ": " + b.message; return false; }
    for (var k = 0; k < params.length; k++) { G.value[params[k]] -= lr * G.grad[params[k]]; }
    steps++;
    losses.push(forward());
    return !failed;
  }

  /* colours: orange below the threshold, white at it, blue above (as the TensorFlow playground) */
  function colour(t) {
    t = Math.max(-1, Math.min(1, t));
    var a = t >= 0 ? [8, 119, 189] : [245, 147, 34], s = Math.abs(t);
    return [Math.round(255 + (a[0] - 255) * s), Math.round(255 + (a[1] - 255) * s), Math.round(255 + (a[2] - 255) * s)];
  }
  function paint(canvas, values, scale, offset) {
    var ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, img = ctx.createImageData(w, h);
    for (var py_ = 0; py_ < h; py_++) {
      for (var px = 0; px < w; px++) {
        var gx = Math.min(grid - 1, Math.floor(px * grid / w)), gy = Math.min(grid - 1, Math.floor(py_ * grid / h));
        var v = values[gy * grid + gx], c = v === v ? colour((v - offset) / scale) : [120, 120, 120], o = 4 * (py_ * w + px);
        img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }
  var plane = document.getElementById("pg-plane"), tiles = [];
  data.neurons.forEach(function (layer, L) {
    var column = document.createElement("div");
    column.className = "pg-layer";
    layer.forEach(function (v, J) {
      var tile = document.createElement("div"), canvas = document.createElement("canvas"), caption = document.createElement("div");
      canvas.width = 56;
      canvas.height = 56;
      canvas.setAttribute("data-neuron", "L" + L + ".n" + J);
      caption.className = "pg-tile";
      tile.appendChild(canvas);
      tile.appendChild(caption);
      column.appendChild(tile);
      tiles.push({ node: v, canvas: canvas, caption: caption, values: new Float64Array(grid * grid), name: "L" + L + ".n" + J });
    });
    document.getElementById("pg-neurons").appendChild(column);
  });
  var out = data.neurons[data.neurons.length - 1][0];
  function drawPlane() {
    var k, gx, gy, t, outs = new Float64Array(grid * grid);
    for (gy = 0; gy < grid; gy++) {
      for (gx = 0; gx < grid; gx++) {
        G.value[data.point[0]] = box[0] + (box[1] - box[0]) * (gx + 0.5) / grid;
        G.value[data.point[1]] = box[3] - (box[3] - box[2]) * (gy + 0.5) / grid;
        G.forward(data.sample);
        outs[gy * grid + gx] = G.value[out];
        for (t = 0; t < tiles.length; t++) { tiles[t].values[gy * grid + gx] = G.value[tiles[t].node]; }
      }
    }
    paint(plane, outs, cut === 0 ? 1 : 0.5, cut);
    var ctx = plane.getContext("2d");
    for (k = 0; k < data.X.length; k++) {
      var x = (data.X[k][0] - box[0]) / (box[1] - box[0]) * plane.width, y = (box[3] - data.X[k][1]) / (box[3] - box[2]) * plane.height;
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = data.y[k] > cut ? "#045a8d" : "#c75b00";
      ctx.strokeStyle = "#fff";
      ctx.fill();
      ctx.stroke();
    }
    tiles.forEach(function (tile) {
      var m = 0;
      for (k = 0; k < tile.values.length; k++) { if (isFinite(tile.values[k])) { m = Math.max(m, Math.abs(tile.values[k])); } }
      paint(tile.canvas, tile.values, m || 1, 0);
      tile.caption.textContent = tile.name + " |y|≤" + py.sig(m, 2);
    });
  }
  function drawCurve() {
    var c = document.getElementById("pg-curve"), ctx = c.getContext("2d"), w = c.width, h = c.height, top = 0, k;
    ctx.clearRect(0, 0, w, h);
    for (k = 0; k < losses.length; k++) { if (isFinite(losses[k])) { top = Math.max(top, losses[k]); } }
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (k = 0; k < losses.length; k++) {
      var x = losses.length > 1 ? k / (losses.length - 1) * (w - 10) + 5 : 5, y = h - 5 - (top ? losses[k] / top : 0) * (h - 10);
      if (k === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
    }
    ctx.stroke();
  }
  function show() {
    var E = losses[losses.length - 1], acc = accuracy();
    lossEl.textContent = "loss E = " + py.sig(E, 6) + " after " + steps + " step(s)";
    lossEl.setAttribute("data-value", py.full(E));
    accEl.textContent = "accuracy " + (100 * acc).toFixed(1) + " % (threshold " + py.repr(cut) + ")";
    accEl.setAttribute("data-value", py.full(acc));
    status.textContent = "step " + steps;
    document.body.setAttribute("data-step", String(steps));
    for (var k = 0; k < params.length; k++) { cells[k].textContent = py.sig(G.value[params[k]], 8); cells[k].setAttribute("data-value", py.full(G.value[params[k]])); }
    errorBox.textContent = failed;
    drawCurve();
    drawPlane();
  }
  function setLr() {
    var x = Number(lrBox.value.trim());
    if (lrBox.value.trim() === "" || !isFinite(x) || !(x > 0)) { errorBox.textContent = "η must be a finite number > 0; it stays " + py.repr(lr); lrBox.value = py.full(lr); return; }
    lr = x;
  }
  function frame() {
    if (!playing) { return; }
    var n = Math.max(1, Math.min(1000, parseInt(speedBox.value, 10) || 1));
    for (var k = 0; k < n && playing; k++) { if (!step()) { playing = false; } }
    show();
    if (playing) { window.requestAnimationFrame(frame); } else { playButton.textContent = "Play"; }
  }
  document.getElementById("pg-step").addEventListener("click", function () { step(); show(); });
  playButton.addEventListener("click", function () {
    playing = !playing;
    playButton.textContent = playing ? "Pause" : "Play";
    if (playing) { window.requestAnimationFrame(frame); }
  });
  document.getElementById("pg-reset").addEventListener("click", function () {
    playing = false;
    playButton.textContent = "Play";
    for (var k = 0; k < G.n; k++) { G.value[k] = start[k]; }
    steps = 0;
    failed = "";
    losses = [forward()];
    show();
  });
  lrBox.value = py.full(lr);
  lrBox.addEventListener("change", setLr);
  losses.push(forward());
  show();
}());
