// The "painted with data" mark that scripts/bench-footprint.sh times: once per time the page is
// on screen, two animation frames after real data was rendered (the first frame callback runs
// before that frame is painted, the second after), the shell logs `bench: popover painted`.
// The first showing also reports where its time went (milliseconds since navigation began).

import { popoverPainted } from './ipc.js';

let hasData = false;
let marked = false;
let firstShowing = true;
const steps = {};

/** Notes when a step of the first showing happened (`script`, `view`). */
export function step(name) {
  if (!(name in steps)) steps[name] = Math.round(performance.now());
}

function timing() {
  if (!firstShowing) return null;
  firstShowing = false;
  const [nav] = performance.getEntriesByType('navigation');
  return {
    origin: Math.round(performance.timeOrigin),
    html: nav ? Math.round(nav.responseEnd) : null,
    ...steps,
    painted: Math.round(performance.now()),
  };
}

function mark() {
  if (!hasData || marked || document.visibilityState !== 'visible') return;
  marked = true;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    popoverPainted(timing()).catch(() => {});
  }));
}

/** Call after rendering real data; marks now if the page is on screen, else when shown. */
export function dataRendered() {
  hasData = true;
  mark();
}

// A kept page is hidden and shown again: each showing gets its own mark.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') marked = false;
  mark();
});
