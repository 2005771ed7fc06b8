// The popover's one-click top-up with a saved card: the offer ("Add 25 credits · Visa ••••
// 4242"), an inline confirmation ("Pay $25.00?" with the card), then the outcome. The payment itself runs in
// Rust with its own idempotency key; the popover only asks for it and shows how it went.

import * as ipc from './ipc.js';

const $ = (id) => document.getElementById(id);
/** How long an outcome stays under the offer. */
const OUTCOME_MS = 30_000;

let offer = null;
/** The offer the question was asked with: what Confirm pays, whatever is read meanwhile. */
let asked = null;
/** `offer` (the button), `confirm` (the question), `paying`. */
let phase = 'offer';
let outcomeTimer = 0;

function render() {
  $('quick').hidden = !offer && phase === 'offer' && $('quick-status').hidden;
  $('quick-top-up').hidden = !offer || phase !== 'offer';
  $('quick-confirm-row').hidden = phase === 'offer';
  const shown = phase === 'offer' ? offer : asked;
  if (shown) {
    $('quick-top-up-label').textContent = shown.label;
    $('quick-question').textContent = shown.question;
    $('quick-card').textContent = shown.card.label;
  }
  $('quick-confirm').disabled = phase === 'paying';
  $('quick-cancel').disabled = phase === 'paying';
  $('quick-confirm').textContent = phase === 'paying' ? 'Paying…' : 'Confirm';
}

function status(text, kind) {
  clearTimeout(outcomeTimer);
  const node = $('quick-status');
  node.textContent = text || '';
  node.hidden = !text;
  node.dataset.kind = kind || '';
  if (text && kind !== 'progress') {
    outcomeTimer = setTimeout(() => { status(''); render(); }, OUTCOME_MS);
  }
}

/** Numbers each offer read, so that only the newest one that answers is kept. */
let reads = 0;

/**
 * Reads the offer again. A failed read keeps the last good offer (a transient error must not take
 * the button away under the user's pointer): only an answer replaces it, `null` included (no
 * usable card, the published platform, signed out). An answer that comes back while a question
 * is asked or a payment runs is dropped: the question shows the offer it was asked with.
 */
async function refreshOffer() {
  if (phase !== 'offer') return;
  const read = ++reads;
  let answer;
  try {
    answer = await ipc.quickTopUpOffer();
  } catch {
    return; // the last good offer stays; the next view update asks again
  }
  if (read !== reads || phase !== 'offer') return;
  offer = answer;
  render();
}

function ask() {
  if (!offer) return;
  asked = offer;
  phase = 'confirm';
  status('');
  render();
  $('quick-confirm').focus();
}

function back() {
  asked = null;
  phase = 'offer';
  render();
  $('quick-top-up').focus();
}

/**
 * Follows payment updates from the first quick top-up on: an outcome can still change after
 * `quickTopUp` answers (a bank's confirmation, finished in the Add credit window). Not before:
 * listening to an event has the shell evaluate a script in the page, which costs the app's
 * process a JavaScript engine for good (see `ipc.js`); a card saved or a payment made in the
 * wizard shows in the popover's view, which refreshes the offer anyway.
 */
let followingPayments = null;
function followPayments() {
  followingPayments ??= ipc.onPaymentUpdated((attempt) => {
    if (attempt && attempt.origin === 'quickTopUp' && phase !== 'paying') show(attempt);
    refreshOffer();
  }).catch((error) => {
    followingPayments = null; // the next quick top-up tries again
    throw error;
  });
  return followingPayments;
}

/**
 * Pays the offer the question showed. Never a silent return once asked: Rust answers with the
 * outcome or a refusal in its own words (a card removed meanwhile, an amount no longer offered).
 */
async function pay() {
  if (phase !== 'confirm' || !asked) return; // Confirm is disabled while paying
  const paying = asked;
  phase = 'paying';
  render();
  await followPayments().catch((error) => console.warn('payment updates unavailable', error));
  status(paying.paying, 'progress');
  try {
    show(await ipc.quickTopUp(paying.quote.credits, paying.card.id));
  } catch (error) {
    status(error.message, 'error');
  } finally {
    asked = null;
    phase = 'offer';
    render();
    refreshOffer();
  }
}

/** The outcome of a quick top-up, in one line (worded in Rust: `attempt.outcome`). */
function show(attempt) {
  if (!attempt?.outcome) return;
  const kind = { succeeded: 'ok', authenticate: 'progress' }[attempt.step] ?? 'error';
  status(attempt.outcome, kind);
}

/** Sets up the offer; call once the popover is painted. */
export async function initQuickTopUp() {
  $('quick-top-up').addEventListener('click', ask);
  $('quick-cancel').addEventListener('click', back);
  $('quick-confirm').addEventListener('click', pay);
  // A hidden popover forgets a question it was asking.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && phase === 'confirm') back();
  });
  // A payment anywhere (the wizard too) changes the view: the offer may have changed with it.
  ipc.onViewUpdated(() => refreshOffer());
  await refreshOffer();
}
