// The bare popover: fetches a number through a command, paints it, and marks the first paint
// with data after every show (the benchmark's "painted with data"), as the real popover does.

const invoke = window.__TAURI__.core.invoke;

let hasData = false;
let marked = false;

/** Marks once per time on screen, two animation frames after the data is rendered: the first
 * frame callback runs before that frame paints, the second after it has. */
function markPainted() {
  if (!hasData || marked || document.visibilityState !== 'visible') return;
  marked = true;
  requestAnimationFrame(() => requestAnimationFrame(() => invoke('popover_painted')));
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') marked = false;
  markPainted();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') invoke('hide_popover');
});

async function start() {
  document.getElementById('number').textContent = String(await invoke('get_number'));
  hasData = true;
  markPainted();
}

start();
