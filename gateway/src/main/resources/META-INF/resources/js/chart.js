// Line charts on a canvas: series of (x, y) points scaled to one box, with axis labels and a legend.

/** Draws each series ({ name, color, points: [{ x, y }] }) in one box; `waiting` shows while there is no point. */
export function drawLines(canvas, series, waiting) {
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  const pad = { left: 48, right: 12, top: 12, bottom: 24 };
  g.clearRect(0, 0, width, height);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#666';
  g.strokeStyle = '#ccc';
  g.lineWidth = 1;
  g.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  const all = series.flatMap((s) => s.points);
  if (!all.length) {
    g.fillText(waiting, pad.left + 8, pad.top + 16);
    return;
  }
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys, Math.min(...ys) + 1e-6)];
  const x = (v) => pad.left + (v - x0) / (x1 - x0) * (width - pad.left - pad.right);
  const y = (v) => height - pad.bottom - (v - y0) / (y1 - y0) * (height - pad.top - pad.bottom);
  g.fillText(y1.toPrecision(3), 4, pad.top + 8);
  g.fillText(y0.toPrecision(3), 4, height - pad.bottom);
  g.fillText(`step ${x0}`, pad.left, height - 6);
  g.fillText(`${x1}`, width - pad.right - 24, height - 6);
  g.lineWidth = 2;
  series.forEach((s, n) => {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.beginPath();
    s.points.forEach((p, i) => (i ? g.lineTo(x(p.x), y(p.y)) : g.moveTo(x(p.x), y(p.y))));
    g.stroke();
    s.points.forEach((p) => g.fillRect(x(p.x) - 2, y(p.y) - 2, 4, 4));
    if (series.length > 1) g.fillText(s.name, pad.left + 8 + 64 * n, pad.top + 14);
  });
}

/** The loss curve: points (step, loss). */
export function drawLoss(canvas, points) {
  drawLines(canvas, [{ name: 'loss', color: '#c0392b', points: points.map((p) => ({ x: p.step, y: p.loss })) }],
    'loss: waiting for the first step');
}

/** The evaluation scores over steps: DINO, CLIP-I and CLIP-T of each scored validation step. */
export function drawScores(canvas, scores) {
  const line = (name, color, key) => ({ name, color, points: scores.map((s) => ({ x: s.step, y: s[key] })) });
  drawLines(canvas, [line('DINO', '#2c7fb8', 'dino'), line('CLIP-I', '#41ab5d', 'clipI'),
    line('CLIP-T', '#d95f0e', 'clipT')], 'scores: waiting for the first validation step');
}
