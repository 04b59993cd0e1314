// The loss curve on a canvas: points (step, loss) scaled to the box, with axis labels.

export function drawLoss(canvas, points) {
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  const pad = { left: 48, right: 12, top: 12, bottom: 24 };
  g.clearRect(0, 0, width, height);
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#666';
  g.strokeStyle = '#ccc';
  g.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
  if (!points.length) {
    g.fillText('loss: waiting for the first step', pad.left + 8, pad.top + 16);
    return;
  }
  const steps = points.map((p) => p.step);
  const losses = points.map((p) => p.loss);
  const [x0, x1] = [Math.min(...steps), Math.max(...steps, Math.min(...steps) + 1)];
  const [y0, y1] = [Math.min(...losses), Math.max(...losses, Math.min(...losses) + 1e-6)];
  const x = (s) => pad.left + (s - x0) / (x1 - x0) * (width - pad.left - pad.right);
  const y = (l) => height - pad.bottom - (l - y0) / (y1 - y0) * (height - pad.top - pad.bottom);
  g.fillText(y1.toPrecision(3), 4, pad.top + 8);
  g.fillText(y0.toPrecision(3), 4, height - pad.bottom);
  g.fillText(`step ${x0}`, pad.left, height - 6);
  g.fillText(`${x1}`, width - pad.right - 24, height - 6);
  g.strokeStyle = '#c0392b';
  g.lineWidth = 2;
  g.beginPath();
  points.forEach((p, i) => (i ? g.lineTo(x(p.step), y(p.loss)) : g.moveTo(x(p.step), y(p.loss))));
  g.stroke();
}
