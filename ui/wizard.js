// The add-credit wizard: amount, card, review, then the outcome. Every step that touches money
// runs in Rust (it goes on if this window closes); this page shows where the attempt is.
// The card is entered in the payment service's own page, in an iframe: only its opaque token
// (brand, last four digits, expiry) ever reaches this page, and only from that exact origin.

import * as ipc from './lib/ipc.js';
import { amountPicker } from './lib/amount-picker.js';
import { choice } from './lib/choices.js';
import * as service from './lib/payment-service.js';

const $ = (id) => document.getElementById(id);
const STEPS = ['amount', 'method', 'review', 'confirming', 'authenticate', 'unknown', 'result'];
/** Where each step puts the keyboard focus. */
const FOCUS = {
  amount: () => document.querySelector('#suggestions input:checked') || $('custom-credits'),
  method: () => document.querySelector('#cards input:checked') || $('card-frame'),
  review: () => $('pay'),
  confirming: () => $('confirming-title'),
  authenticate: () => $('auth-frame'),
  unknown: () => $('check-again'),
  result: () => $('done'),
};

const state = {
  ctx: null,
  /** The chosen amount's quote: `{ credits, creditsText, price, runtime, balanceAfter }`. */
  quote: null,
  /** The card to pay with: `{ id, brand, last4, expMonth, expYear, label }`. */
  card: null,
  /** The token the hosted form returned, once the user entered a card. */
  newCard: null,
  attempt: null,
  /** The newest attempt revision shown: an older one arriving late is ignored. */
  revision: 0,
  step: null,
};

// --- Small helpers -------------------------------------------------------------------------

function setText(id, text) { $(id).textContent = text; }

function banner(id, text) {
  $(id).hidden = !text;
  $(id).textContent = text || '';
}

const showError = (message) => banner('step-error', message);

function announce(text) { setText('announcer', text); }

function capitalize(text) { return text ? text[0].toUpperCase() + text.slice(1) : ''; }

/** Runs `action` with the step's buttons disabled, showing its error if it fails. */
async function busy(action) {
  const buttons = [...document.querySelectorAll('.step:not([hidden]) button:not([data-always])')];
  buttons.forEach((b) => { b.disabled = true; });
  showError('');
  try {
    return await action();
  } catch (error) {
    showError(error.message);
    return undefined;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    refreshButtons();
  }
}

function go(step) {
  state.step = step;
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  const order = ['amount', 'method', 'review'];
  const at = order.indexOf(step);
  for (const item of $('progress').children) {
    const index = order.indexOf(item.dataset.for);
    item.classList.toggle('done', at === -1 ? step === 'result' || index < 2 : index < at);
    if (index === at) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  }
  document.body.dataset.step = step;
  refreshButtons();
  const title = document.querySelector(`#step-${step} .step-title`);
  if (title) announce(title.textContent);
  const target = FOCUS[step]();
  if (target) {
    if (target.tabIndex < 0 && !target.matches('input, button, iframe')) target.tabIndex = -1;
    target.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function refreshButtons() {
  $('to-method').disabled = !state.quote || Boolean(state.ctx && state.ctx.unavailable);
  $('to-review').disabled = !chosenCard();
}

// --- 1. Amount -----------------------------------------------------------------------------

const amounts = amountPicker((quote) => {
  state.quote = quote;
  refreshButtons();
});

async function toMethod() {
  if (!state.quote) return;
  const view = await busy(() => ipc.paymentBegin(state.quote.credits));
  if (view === undefined) return;
  remember(view);
  banner('decline', '');
  showMethod();
}

// --- 2. Card -------------------------------------------------------------------------------

function renderCards(saved) {
  const group = $('cards');
  group.replaceChildren();
  group.hidden = saved.length === 0;
  const cardChoice = (id, main, sub, value) => choice({
    id, name: 'card', value, main, sub, onChange: onCardChoice, className: 'card-choice',
  });
  for (const card of saved) {
    const expires = card.expiry ? `Expires ${card.expiry}` : 'Saved card';
    group.append(cardChoice(`card-${card.id}`, card.label, expires, card.id));
  }
  group.append(cardChoice('use-new-card', 'New card', 'Enter it securely below', 'new'));
  const first = group.querySelector('input');
  first.checked = true;
}

/** A saved card was removed (in the settings window): only the cards left are offered. */
function onSavedCardsChanged(cards) {
  if (!state.ctx) return;
  const picked = document.querySelector('#cards input:checked');
  state.ctx.savedCards = cards;
  renderCards(cards);
  const still = picked && document.querySelector(`#cards input[value="${CSS.escape(picked.value)}"]`);
  if (still) still.checked = true;
  onCardChoice();
}

function chosenCard() {
  const picked = document.querySelector('#cards input:checked');
  const value = picked ? picked.value : 'new';
  if (value === 'new') return state.newCard;
  const saved = state.ctx.savedCards.find((c) => c.id === value);
  return saved ? { id: saved.id, brand: saved.brand, last4: saved.last4, label: saved.label } : null;
}

function onCardChoice() {
  const picked = document.querySelector('#cards input:checked');
  const isNew = !picked || picked.value === 'new';
  $('new-card').hidden = !isNew;
  if (isNew) loadCardForm(false);
  refreshButtons();
}

function loadCardForm(again) {
  const frame = $('card-frame');
  if (!state.ctx.cardFormUrl) return;
  if (frame.src && !again) return;
  frame.src = service.framed(state.ctx.cardFormUrl);
}

function showMethod() {
  setText('method-price', state.quote.price);
  setText('method-credits', state.quote.creditsText);
  go('method');
  onCardChoice();
}

/** The card form accepted a card: keep its token (and nothing else) and move on. */
function onNewCard(card) {
  state.newCard = card;
  banner('card-ready', `${card.label} is ready.`);
  banner('decline', '');
  refreshButtons();
  if (state.step === 'method') showReview();
}

function toReview() {
  if (!chosenCard()) {
    showError('Enter your card in the form, then press “Use this card”.');
    return;
  }
  showReview();
}

// --- 3. Review -----------------------------------------------------------------------------

function showReview() {
  state.card = chosenCard();
  if (!state.card) return;
  const quote = state.quote;
  setText('review-credits', `${quote.creditsText} credits`);
  setText('review-price', quote.price);
  setText('review-card', state.card.label);
  setText('review-balance', quote.balanceAfter ? `about ${quote.balanceAfter} credits` : '—');
  setText('review-runtime', quote.runtime ? `${capitalize(quote.runtime)}.` : '');
  $('review-save').hidden = !(state.card === state.newCard && $('save-card').checked);
  setText('pay', `Pay ${quote.price}`);
  go('review');
}

async function pay() {
  const card = state.card;
  const { id, brand, last4, expMonth, expYear } = card;
  const save = card === state.newCard && $('save-card').checked;
  setText('confirming-price', state.quote.price);
  go('confirming');
  const view = await busy(() => ipc.paymentPay({ id, brand, last4, expMonth, expYear }, save));
  if (view === undefined) go('review');
  else onAttempt(view);
}

// --- The attempt as Rust reports it -------------------------------------------------------

/** Keeps `view` as the attempt unless a newer one was seen already (a command's answer may
 * arrive after a newer event); answers whether it was kept. */
function remember(view) {
  if (view && view.revision < state.revision) return false;
  if (view) state.revision = view.revision;
  state.attempt = view;
  return true;
}

function onAttempt(view) {
  // A quick top-up from the popover is followed here only once it needs this window.
  if (view && view.origin === 'quickTopUp' && view.step !== 'authenticate'
      && state.step !== 'authenticate' && state.attempt?.origin !== 'quickTopUp') return;
  if (!remember(view)) return;
  if (!view) return;
  if (view.quote) state.quote = view.quote;
  switch (view.step) {
    case 'method':
      if (view.decline) showDecline(view.decline);
      else if (['confirming', 'authenticate', 'unknown'].includes(state.step)) showMethod();
      break;
    case 'confirming':
      setText('confirming-price', view.quote.price);
      if (state.step !== 'confirming') go('confirming');
      break;
    case 'unknown':
      setText('unknown-problem', view.problem || '');
      $('unknown-cancel').hidden = !view.canCancel;
      if (state.step !== 'unknown') go('unknown');
      break;
    case 'authenticate':
      showAuthentication(view);
      break;
    case 'succeeded':
      showResult(view);
      break;
    case 'canceled':
      ipc.closeWindow();
      break;
    default:
      break;
  }
}

function showDecline(decline) {
  // A refused new card is entered again; a saved one stays selected.
  if (state.card && state.card === state.newCard && !decline.retryable) {
    state.newCard = null;
    banner('card-ready', '');
    loadCardForm(true);
  }
  showMethod();
  banner('decline', decline.message);
  announce(decline.message);
}

function showAuthentication(view) {
  setText('auth-price', view.quote.price);
  banner('auth-problem', view.authUrl ? '' : (view.problem || 'The confirmation page cannot be shown.'));
  const frame = $('auth-frame');
  frame.hidden = !view.authUrl;
  if (view.authUrl) {
    const url = service.framed(view.authUrl);
    if (frame.getAttribute('src') !== url) frame.src = url;
  }
  if (state.step !== 'authenticate') go('authenticate');
}

function showResult(view) {
  setText('result-credits', `${view.quote.creditsText} credits`);
  setText('result-charged', view.charged || view.quote.price);
  setText('result-card', view.card ? view.card.label : '—');
  setText('receipt', view.receipt || '—');
  setText('new-balance', view.newBalance ? `${view.newBalance} credits` : (view.balancePending ? 'Updating…' : '—'));
  setText('balance-note', view.balancePending
    ? 'Reading your new balance from the platform…'
    : (view.newBalance ? '' : 'The platform has not confirmed the new balance yet; the tray shows it as soon as it does.'));
  if (state.step !== 'result') go('result');
  if (view.newBalance) announce(`New balance ${view.newBalance} credits`);
}

// --- The bank's answer ----------------------------------------------------------------------

function onAuthenticated(paymentId) {
  const attempt = state.attempt;
  if (!attempt || paymentId !== attempt.paymentId) return;
  busy(() => ipc.paymentAuthenticated(paymentId)).then((view) => view !== undefined && onAttempt(view));
}

// --- Leaving ---------------------------------------------------------------------------------

/** Cancels whatever was not confirmed (nothing is charged) and closes the window. */
async function cancelAndClose() {
  const view = await busy(() => ipc.paymentCancel());
  if (view === undefined) return;
  // Too late to cancel: the payment had gone through, and that is what to show.
  if (view && view.step === 'succeeded') {
    onAttempt(view);
    return;
  }
  ipc.closeWindow();
}

/** Back from the bank's page: that payment is canceled and a new one opened, same amount. */
async function backFromAuthentication() {
  const view = await busy(async () => {
    const canceled = await ipc.paymentCancel();
    if (canceled && canceled.step === 'succeeded') return canceled;
    return ipc.paymentBegin(state.quote.credits);
  });
  if (view === undefined) return;
  if (view && view.step === 'succeeded') onAttempt(view);
  else {
    remember(view);
    showMethod();
  }
}

async function done() {
  await busy(() => ipc.paymentDone());
  ipc.closeWindow();
}

function onKey(event) {
  if (event.key !== 'Escape') return;
  event.preventDefault();
  if (state.step === 'confirming') ipc.closeWindow();
  else if (state.step === 'result') done();
  else cancelAndClose();
}

// --- Start -----------------------------------------------------------------------------------

function wire() {
  $('to-method').addEventListener('click', toMethod);
  $('amount-cancel').addEventListener('click', cancelAndClose);
  $('method-back').addEventListener('click', () => go('amount'));
  $('method-cancel').addEventListener('click', cancelAndClose);
  $('to-review').addEventListener('click', toReview);
  $('review-back').addEventListener('click', showMethod);
  $('review-cancel').addEventListener('click', cancelAndClose);
  $('pay').addEventListener('click', pay);
  $('auth-back').addEventListener('click', backFromAuthentication);
  $('auth-cancel').addEventListener('click', cancelAndClose);
  $('check-again').addEventListener('click', () => busy(() => ipc.paymentCheckAgain()).then((v) => v !== undefined && onAttempt(v)));
  $('unknown-cancel').addEventListener('click', cancelAndClose);
  $('done').addEventListener('click', done);
  // The payment goes on in the app; this window only shows it.
  $('confirming-close').addEventListener('click', () => ipc.closeWindow());
  service.listen({
    origin: () => (state.ctx ? state.ctx.paymentsOrigin : null),
    cardFrame: $('card-frame'),
    authFrame: $('auth-frame'),
    onCard: onNewCard,
    onAuthenticated,
  });
  document.addEventListener('keydown', onKey);
}

async function start() {
  wire();
  await ipc.onPaymentUpdated(onAttempt);
  await ipc.onSavedCardsChanged(onSavedCardsChanged);
  const ctx = await ipc.paymentContext();
  state.ctx = ctx;
  banner('demo', ctx.demo || '');
  banner('unavailable', ctx.unavailable || '');
  setText('balance-now', ctx.balance || '—');
  setText('amount-hint', ctx.limitsHint || '');
  amounts.show(ctx.suggestions, ctx.preselected);
  renderCards(ctx.savedCards);
  document.querySelector('main').removeAttribute('aria-busy');
  const attempt = ctx.attempt;
  if (!attempt) {
    go('amount');
  } else {
    remember(attempt);
    state.quote = attempt.quote;
    if (attempt.step === 'method') showMethod();
    onAttempt(attempt);
  }
}

start().catch((error) => {
  showError(`The wizard could not start: ${error.message}`);
  go('amount');
});
