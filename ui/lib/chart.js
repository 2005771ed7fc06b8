// The 7-day balance chart: plain inline SVG, no library. Colours come from CSS classes so the
// chart follows the light and dark themes.

const NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 86_400_000;
/** A pause in the history longer than this breaks the line: the app was not running. */
const GAP_MS = 3 * 3_600_000;

/** Used when the element has no layout yet (hidden). */
const DEFAULT_SIZE = Object.freeze({ width: 328, height: 92 });
const PAD = Object.freeze({ left: 2, right: 40, top: 8, bottom: 16 });

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function compact(value) {
  if (value >= 10_000) return `${Math.floor(value / 1000)}k`;
  if (value >= 100) return String(Math.floor(value));
  return String(Math.floor(value * 10) / 10);
}

/**
 * Draws `points` (`[{ t: epochMs, credits: "decimal string" }]`, oldest first) over the
 * `days` before `now` into `svg`, replacing what was there.
 */
export function renderChart(svg, points, { now = Date.now(), days = 7 } = {}) {
  svg.replaceChildren();
  // Drawn in the element's own pixels, so text keeps its size whatever room the chart gets.
  const box = svg.getBoundingClientRect();
  const W = Math.round(box.width) || DEFAULT_SIZE.width;
  const H = Math.round(box.height) || DEFAULT_SIZE.height;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const start = now - days * DAY_MS;
  const series = points
    .map((p) => ({ t: p.t, v: Number(p.credits) }))
    .filter((p) => p.t >= start && p.t <= now && Number.isFinite(p.v));

  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (t) => PAD.left + ((t - start) / (now - start)) * plotW;

  // Day boundaries (local midnight) with the weekday under each day.
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  for (let t = midnight.getTime(); t > start; t -= DAY_MS) {
    svg.append(el('line', { x1: x(t), x2: x(t), y1: PAD.top, y2: H - PAD.bottom, class: 'grid' }));
    const mid = Math.min(now, t + DAY_MS / 2);
    if (mid - t > DAY_MS / 4) {
      const label = new Date(t).toLocaleDateString(undefined, { weekday: 'short' });
      svg.append(el('text', { x: x(mid), y: H - 4, class: 'axis', 'text-anchor': 'middle' }, label));
    }
  }
  svg.append(el('line', {
    x1: PAD.left, x2: PAD.left + plotW, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'baseline',
  }));

  if (series.length < 2) {
    svg.append(el('text', {
      x: PAD.left + plotW / 2, y: PAD.top + plotH / 2, class: 'empty', 'text-anchor': 'middle',
    }, 'History fills in as the app runs'));
    svg.setAttribute('aria-label', 'Balance over the last 7 days: not enough history yet');
    return;
  }

  const max = Math.max(...series.map((p) => p.v));
  const top = max > 0 ? max * 1.12 : 1;
  const y = (v) => PAD.top + (1 - Math.max(0, v) / top) * plotH;

  // One path per run of samples without a long pause.
  const runs = [];
  for (const p of series) {
    const run = runs.at(-1);
    if (run && p.t - run.at(-1).t <= GAP_MS) run.push(p);
    else runs.push([p]);
  }
  for (const run of runs) {
    const line = run.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    if (run.length > 1) {
      const floor = (H - PAD.bottom).toFixed(1);
      const area = `${line}L${x(run.at(-1).t).toFixed(1)},${floor}L${x(run[0].t).toFixed(1)},${floor}Z`;
      svg.append(el('path', { d: area, class: 'area' }));
    }
    svg.append(el('path', { d: line, class: 'line' }));
  }

  const last = series.at(-1);
  svg.append(el('circle', { cx: x(last.t), cy: y(last.v), r: 3, class: 'dot' }));
  const nowY = Math.min(H - PAD.bottom - 2, y(last.v) + 4);
  // The peak's label only where it does not sit on the current value's.
  if (Math.abs(nowY - (PAD.top + 4)) > 11) {
    svg.append(el('text', { x: W - 2, y: PAD.top + 4, class: 'axis', 'text-anchor': 'end' }, compact(max)));
  }
  svg.append(el('text', { x: W - 2, y: nowY, class: 'axis now', 'text-anchor': 'end' }, compact(last.v)));

  const first = series[0];
  svg.setAttribute(
    'aria-label',
    `Balance over the last 7 days: from ${compact(first.v)} to ${compact(last.v)} credits, peak ${compact(max)}`,
  );
}
