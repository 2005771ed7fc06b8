// The popover's one-click top-up with a saved card: the offer ("Add 25 credits · Visa ••••
// 4242"), an inline confirmation ("Pay $25.00?" with the card), then the outcome. The payment itself runs in
// Rust with its own idempotency key; the popover only asks for it and shows how it went.

import * as ipc from './ipc.js';

const $ = (id) => document.getElementById(id);
/** How long an outcome stays under the offer. */
const OUTCOME_MS = 30_000;

let offer = null;
/** `offer` (the button), `confirm` (the question), `paying`. */
let phase = 'offer';
let outcomeTimer = 0;

function render() {
  $('quick').hidden = !offer && phase === 'offer' && $('quick-status').hidden;
  $('quick-top-up').hidden = !offer || phase !== 'offer';
  $('quick-confirm-row').hidden = phase === 'offer';
  if (offer) {
    $('quick-top-up-label').textContent = offer.label;
    $('quick-question').textContent = offer.question;
    $('quick-card').textContent = offer.card.label;
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

async function refreshOffer() {
  if (phase !== 'offer') return;
  try {
    offer = await ipc.quickTopUpOffer();
  } catch {
    // No offer when the platform cannot be asked: "Add credit…" is still there.
    offer = null;
  }
  render();
}

function ask() {
  if (!offer) return;
  phase = 'confirm';
  status('');
  render();
  $('quick-confirm').focus();
}

function back() {
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

async function pay() {
  if (!offer || phase !== 'confirm') return;
  phase = 'paying';
  render();
  await followPayments().catch((error) => console.warn('payment updates unavailable', error));
  status(`Paying ${offer.quote.price}…`, 'progress');
  try {
    show(await ipc.quickTopUp(offer.quote.credits, offer.card.id));
  } catch (error) {
    status(error.message, 'error');
  } finally {
    phase = 'offer';
    render();
    refreshOffer();
  }
}

/** The outcome of a quick top-up, in one line. */
function show(attempt) {
  if (!attempt) return;
  switch (attempt.step) {
    case 'succeeded':
      status(`Added ${attempt.quote.creditsText} credits${attempt.receipt ? ` · receipt ${attempt.receipt}` : ''}.`, 'ok');
      break;
    case 'method':
      status(attempt.decline ? attempt.decline.message : 'The payment did not go through.', 'error');
      break;
    case 'authenticate':
      status('Your bank asks you to confirm the payment: continue in the Add credit window.', 'progress');
      break;
    case 'unknown':
      status('The payment’s outcome is not known yet. Open “Add credit…” to check again; it is never charged twice.', 'error');
      break;
    default:
      break;
  }
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
