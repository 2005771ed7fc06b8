// The popover: paints the cached view model at once, then follows its updates.

import * as ipc from './lib/ipc.js';
import { renderChart } from './lib/chart.js';
import { dataRendered, step } from './lib/paint-mark.js';
import { initQuickTopUp } from './lib/quick-top-up.js';

step('script');

const $ = (id) => document.getElementById(id);
/** The refresh spinner stops at the next view, or after this long at the latest. */
const SPIN_MAX_MS = 15_000;

let view = null;
let renderedChart = '';
let spinTimer = 0;

function setText(id, text) {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text;
}

function show(id, text) {
  const node = $(id);
  node.hidden = !text;
  if (text) setText(id, text);
}

const LEVEL_LABELS = Object.freeze({ low: 'Low', critical: 'Critical', empty: 'Empty' });

/** The parts that depend on the clock, worded by the shell (which sends a new view each
 * second while the popover is on screen): "Updated 12 s ago" and the stale banner. */
function showAges(next) {
  setText('updated', next.updatedAgo || 'Not updated yet');
  show('stale-banner', next.stale ? next.stale.text : '');
}

function render(next) {
  const previous = view;
  view = next;
  $('card').hidden = !next.signedIn;
  $('signed-out').hidden = next.signedIn;
  // On the demo account, signed in there or not, the way back to the user's own platform.
  $('signed-out-demo').hidden = next.signedIn || !next.demo;
  if (next.demo) setText('signed-out-demo-label', next.demo);
  if (!next.signedIn) {
    setText('signed-out-reason', next.signedOut || 'Sign in with the session token from your Lattica email.');
    return;
  }
  $('demo').hidden = !next.demo;
  if (next.demo) setText('demo-label', next.demo);
  const card = $('card');
  card.dataset.level = next.level || '';
  card.dataset.stale = String(Boolean(next.stale));
  card.setAttribute('aria-busy', String(Boolean(next.loading)));
  card.dataset.empty = String(!next.balance);
  show('level', LEVEL_LABELS[next.level] || '');

  setText('balance', next.balance || (next.loading ? '…' : '—'));
  const estimate = next.estimate;
  setText('estimate', estimate ? estimate.text : (next.loading ? 'Loading…' : '—'));
  setText('workers', estimate ? estimate.workers : '');
  setText('runs-out', estimate && estimate.runsOut ? ` · ${estimate.runsOut}` : '');
  setText('estimate-note', estimate ? estimate.note : 'Approximate.');
  setText('estimate-basis', estimate && estimate.basis ? estimate.basis : '');
  setText('add-credit', next.addCredit || 'Add credit…');
  show('credits-added', next.creditsAdded || '');

  const payment = next.lastPayment;
  setText('last-payment', payment ? `${payment.absolute} · ${payment.amount}` : (next.loading ? '…' : 'None yet'));
  setText('last-payment-detail', payment ? `${payment.relative} · ${payment.credits} credits` : '');
  // A new payment (an auto top-up among them) changes this month's spend: read it again.
  const paymentKey = payment ? `${payment.absolute} ${payment.amount}` : '';
  if (paymentKey !== lastPaymentKey) {
    lastPaymentKey = paymentKey;
    refreshAutoTopUp();
  }

  show('token-warning', next.tokenWarning || '');
  const notices = (next.notices || []).join(' ');
  $('notice').hidden = !notices;
  if (notices) setText('notice-text', notices);
  show('error-banner', next.error || '');
  // A new view comes every second while the popover is open; the chart changes far less.
  const points = next.chart || [];
  const chartKey = JSON.stringify(points);
  if (chartKey !== renderedChart) {
    renderedChart = chartKey;
    renderChart($('chart'), points);
  }
  showAges(next);
  if (next.balance) dataRendered();

  if (!next.refreshing) stopSpinning();
  if (previous && previous.balance !== next.balance && next.balance) {
    setText('announcer', `Balance ${next.balance} credits`);
  }
}

function stopSpinning() {
  clearTimeout(spinTimer);
  $('refresh').classList.remove('spinning');
  $('refresh').removeAttribute('aria-busy');
}

async function refresh() {
  $('refresh').classList.add('spinning');
  $('refresh').setAttribute('aria-busy', 'true');
  clearTimeout(spinTimer);
  spinTimer = setTimeout(stopSpinning, SPIN_MAX_MS);
  try {
    await ipc.refreshNow();
  } catch (error) {
    stopSpinning();
    show('error-banner', error.message);
  }
}

function wire() {
  $('refresh').addEventListener('click', refresh);
  $('settings').addEventListener('click', () => ipc.openSettings());
  $('add-credit').addEventListener('click', () => ipc.openAddCredit());
  $('sign-in').addEventListener('click', () => ipc.openSignIn());
  $('leave-demo').addEventListener('click', () => ipc.leaveDemo().catch((error) => show('error-banner', error.message)));
  $('signed-out-leave-demo').addEventListener('click', () => ipc.leaveDemo().catch((error) => setText('signed-out-reason', error.message)));
  $('notice-dismiss').addEventListener('click', () => {
    $('notice').hidden = true;
    ipc.dismissNotices().catch((error) => show('error-banner', error.message));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      ipc.hidePopover();
    } else if ((event.key === 'r' || event.key === 'R') && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      refresh();
    }
  });
  // Banners come and go and change the chart's room: redraw it at its new size.
  new ResizeObserver(() => {
    if (view && view.signedIn) renderChart($('chart'), view.chart || []);
  }).observe($('chart'));
}

/** Puts the keyboard on the main action, as on every opening (the page is kept when hidden). */
function focusMain() {
  const main = view && view.signedIn ? $('add-credit') : $('sign-in');
  if (!document.activeElement || document.activeElement === document.body) {
    main.focus({ preventScroll: true });
  }
}

let lastPaymentKey = null;

function refreshAutoTopUp() {
  showAutoTopUp().catch((error) => console.warn('auto top-up state', error));
}

/** The auto top-up rule's state and this month's spend against its caps. */
async function showAutoTopUp() {
  const view = await ipc.autoTopUpState();
  document.getElementById('auto-top-up').textContent = view.status;
  document.getElementById('auto-top-up-detail').textContent = view.detail;
  document.getElementById('auto-row').hidden = false;
}

async function start() {
  wire();
  const first = await ipc.getView();
  step('view');
  render(first);
  // Follows from the view just rendered: nothing newer can slip between the two.
  ipc.onViewUpdated(render);
  focusMain();
  window.addEventListener('focus', focusMain);
  // After the first paint: the offer needs the platform, the figures did not.
  initQuickTopUp().catch((error) => console.warn('quick top-up unavailable', error));
  window.addEventListener('focus', refreshAutoTopUp);
}

start().catch((error) => show('error-banner', `The popover could not start: ${error.message}`));
