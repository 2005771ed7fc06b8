// The settings window: edits lattica-core's settings form; validation happens in Rust and
// comes back per field. Every sentence it shows is worded in Rust (the view's `texts`, the
// saved cards' and auto top-up's answers, an error's `message`): this only places them.

import * as ipc from './lib/ipc.js';

const $ = (id) => document.getElementById(id);
const TEXT_FIELDS = ['refreshIntervalSecs', 'lowThreshold', 'criticalThreshold', 'backendUrl', 'consoleUrl', 'listPrices', 'shortcut'];
const SELECTS = ['lowUnit', 'criticalUnit'];
const CHECKS = ['notifications', 'launchAtLogin'];
/** The alert kinds of lattica-core's `AlertChoices`, each a checkbox `alert-<kind>`. */
const ALERT_KINDS = ['low', 'critical', 'empty', 'tokenExpiry', 'payments', 'creditsAdded'];
/** Fields whose errors come back from Rust: the text fields and the quiet time. */
const ERROR_FIELDS = [...TEXT_FIELDS, 'quietUntil'];

const pad = (n) => String(n).padStart(2, '0');

/** An RFC 3339 time as a `datetime-local` value in this desktop's time zone; '' when past. */
function localInput(iso) {
  const at = iso ? new Date(iso) : null;
  if (!at || Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) return '';
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A `datetime-local` value (local time) as RFC 3339; what cannot be read goes as typed. */
function rfc3339(local) {
  if (!local) return '';
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}

/** The window's sentences (`SettingsTexts`), from the last settings view. */
let texts = null;

/** The app runs on the demo account (its settings are its own). */
let inDemo = false;

function fill(view) {
  const { form } = view;
  for (const id of TEXT_FIELDS) $(id).value = form[id] ?? '';
  for (const id of SELECTS) $(id).value = form[id];
  for (const id of CHECKS) $(id).checked = Boolean(form[id]);
  for (const kind of ALERT_KINDS) $(`alert-${kind}`).checked = form.alerts?.[kind] !== false;
  $('quietUntil').value = localInput(form.quietUntil);
  $('refreshIntervalSecs').min = view.minRefreshSecs;
  $('refreshIntervalSecs').max = view.maxRefreshSecs;
  ({ texts } = view);
  $('refreshIntervalSecs-hint').textContent = texts.refreshHint;
  $('backendUrl-hint').textContent = view.backendNote || texts.backendHint;
  $('account').textContent = view.account;
  $('demo').hidden = !view.demo;
  $('demo').textContent = view.demo || '';
  // In the demo, signing out is leaving it: nothing of the user's is removed.
  inDemo = Boolean(view.demo);
  $('sign-out').textContent = inDemo ? texts.leaveDemo : texts.signOut;
  // The saved shortcut the desktop refused (at start, or on this save): why, beside it.
  $('shortcut-error').textContent = view.shortcutProblem ?? '';
  // Leaving the demo stays offered when its session ended.
  $('sign-out').hidden = !view.signedIn && !inDemo;
  $('switch-account').hidden = !view.signedIn;
  $('sign-in').hidden = view.signedIn;
}

function read() {
  const form = {};
  for (const id of TEXT_FIELDS) form[id] = $(id).value;
  for (const id of SELECTS) form[id] = $(id).value;
  for (const id of CHECKS) form[id] = $(id).checked;
  form.alerts = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, $(`alert-${kind}`).checked]));
  form.quietUntil = rfc3339($('quietUntil').value);
  return form;
}

function clearErrors() {
  for (const id of ERROR_FIELDS) {
    $(`${id}-error`).textContent = '';
    $(id).removeAttribute('aria-invalid');
  }
}

function status(text, ok) {
  $('save-status').textContent = text;
  $('save-status').className = `status left ${ok ? 'ok' : 'err'}`;
}

async function save(event) {
  event.preventDefault();
  clearErrors();
  status('', true); // a "Saved." shown now is this save's answer
  $('save').disabled = true;
  try {
    fill(await ipc.saveSettings(read()));
    status(texts.saved, true);
  } catch (error) {
    if (error.kind === 'invalid_settings' && Array.isArray(error.errors)) {
      for (const { field, message } of error.errors) {
        $(`${field}-error`).textContent = message;
        $(field).setAttribute('aria-invalid', 'true');
      }
      $(error.errors[0].field).focus();
      status(texts.invalid, false);
    } else {
      status(error.message, false);
    }
  } finally {
    $('save').disabled = false;
  }
}

async function sendTest() {
  const out = $('test-status');
  out.textContent = '';
  out.className = 'status';
  $('test-notification').disabled = true;
  try {
    await ipc.sendTestNotification();
    out.textContent = texts.testSent;
    out.className = 'status ok';
  } catch (error) {
    out.textContent = error.message;
    out.className = 'status err';
  } finally {
    $('test-notification').disabled = false;
  }
}

// --- Sign-out, confirmed, optionally forgetting the local history ---------------------------

async function leaveDemo() {
  try {
    // The shell closes this window and opens the sign-in window of the user's platform.
    await ipc.leaveDemo();
  } catch (error) {
    status(error.message, false);
  }
}

function askSignOut(asking) {
  $('sign-out-confirm').hidden = !asking;
  $('sign-out').hidden = asking;
  if (asking) {
    $('forget-history').checked = false;
    $('sign-out-cancel').focus();
  }
}

async function signOut() {
  const forgetHistory = $('forget-history').checked;
  $('sign-out-confirmed').disabled = true;
  try {
    await ipc.signOut(forgetHistory);
    $('sign-out-confirm').hidden = true;
    fill(await ipc.getSettings());
    loadCards();
    // Signing out turns auto top-up off; the section says to sign in.
    ipc.autoTopUpState().then(showAuto).catch(() => {});
    status(forgetHistory ? texts.signedOutHistoryDeleted : texts.signedOut, true);
  } catch (error) {
    status(error.message, false);
  } finally {
    $('sign-out-confirmed').disabled = false;
  }
}

// --- Saved cards ----------------------------------------------------------------------------
// Listed from the platform each time the window opens; "Remove" asks first, inline.

function cardsStatus(text, ok) {
  $('cards-status').textContent = text;
  $('cards-status').className = `status ${ok ? 'ok' : 'err'}`;
}

function cardRow(card) {
  const row = $('card-row').content.firstElementChild.cloneNode(true);
  const part = (name) => row.querySelector(`.${name}`);
  row.id = `saved-${card.id}`;
  row.dataset.cardId = card.id;
  part('card-label').textContent = card.label;
  part('card-expiry').textContent = card.expiryText;
  part('card-expiry').classList.toggle('expired', card.expired);
  part('card-question').textContent = card.remove.question;
  const [remove, confirm, yes, no] = ['remove-card', 'card-confirm', 'confirm-remove', 'keep-card'].map(part);
  remove.setAttribute('aria-label', card.remove.button);
  remove.addEventListener('click', () => {
    confirm.hidden = false;
    remove.hidden = true;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirm.hidden = true;
    remove.hidden = false;
    remove.focus();
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    no.disabled = true;
    try {
      showCards(await ipc.removeSavedCard(card.id));
      cardsStatus(card.remove.done, true);
      // Auto top-up offers only the cards left.
      ipc.autoTopUpState().then(showAuto).catch(() => {});
    } catch (error) {
      cardsStatus(error.message, false);
      loadCards();
    }
  });
  return row;
}

function showCards(list) {
  $('cards-list').replaceChildren(...list.cards.map(cardRow));
  $('cards-note').textContent = list.note ?? '';
  $('cards-note').hidden = !list.note;
}

async function loadCards() {
  try {
    showCards(await ipc.savedCards());
  } catch (error) {
    $('cards-list').replaceChildren();
    $('cards-note').hidden = false;
    // Worded in Rust with its cause; a failure that never reached Rust says so in general.
    $('cards-note').textContent = error.kind === 'internal' && texts ? texts.cardsUnreadable : error.message;
  }
}

$('form').addEventListener('submit', save);
$('close').addEventListener('click', () => ipc.closeWindow());
$('sign-out').addEventListener('click', () => (inDemo ? leaveDemo() : askSignOut(true)));
$('sign-out-cancel').addEventListener('click', () => { askSignOut(false); $('sign-out').focus(); });
$('sign-out-confirmed').addEventListener('click', signOut);
$('test-notification').addEventListener('click', sendTest);
$('quiet-clear').addEventListener('click', () => { $('quietUntil').value = ''; });
$('sign-in').addEventListener('click', () => ipc.openSignIn());
$('switch-account').addEventListener('click', () => ipc.openSignIn());
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') ipc.closeWindow();
});

// Auto top-up: off by default; "Turn on…" shows the rule with its price and asks to confirm
// exactly that (any change to the form asks again).
let confirmedSummary = null;
const AUTO_FIELDS = ['auto-unit', 'auto-below', 'auto-add', 'auto-card', 'auto-max-count', 'auto-max-spend'];

function autoForm() {
  return {
    unit: $('auto-unit').value,
    below: $('auto-below').value,
    add: $('auto-add').value,
    cardId: $('auto-card').value,
    maxCount: $('auto-max-count').value,
    maxSpend: $('auto-max-spend').value,
  };
}

function showAuto(view) {
  // Every line here is worded in Rust (`AutoTopUpView::state`).
  $('auto-state').textContent = view.state;
  $('auto-unavailable').textContent = view.unavailable ?? '';
  $('auto-unavailable').hidden = !view.unavailable;
  if (view.unavailable || view.signedOut) {
    $('auto-fields').hidden = true;
    return;
  }
  $('auto-fields').hidden = false;
  const cards = $('auto-card');
  const chosen = cards.value;
  cards.replaceChildren(...view.cards.map((card) => {
    const option = document.createElement('option');
    option.value = card.id;
    option.textContent = card.label;
    return option;
  }));
  if (chosen) cards.value = chosen;
  if (texts) $('auto-on').textContent = view.enabled ? texts.autoChange : texts.autoTurnOn;
  $('auto-on').disabled = !view.cards.length;
  $('auto-off').hidden = !view.enabled;
  $('auto-review').hidden = true;
}

async function autoRun(action) {
  $('auto-error').textContent = '';
  try {
    await action();
  } catch (error) {
    $('auto-error').textContent = error.message;
  }
}

$('auto-on').addEventListener('click', () => autoRun(async () => {
  confirmedSummary = await ipc.autoTopUpPreview(autoForm());
  $('auto-summary').textContent = confirmedSummary;
  $('auto-review').hidden = false;
  $('auto-confirm').focus();
}));
$('auto-confirm').addEventListener('click', () => autoRun(async () => {
  showAuto(await ipc.autoTopUpEnable(autoForm(), confirmedSummary));
}));
$('auto-back').addEventListener('click', () => { $('auto-review').hidden = true; });
$('auto-off').addEventListener('click', () => autoRun(async () => showAuto(await ipc.autoTopUpDisable())));
for (const id of AUTO_FIELDS) {
  // A change after the review asks for a new confirmation.
  $(id).addEventListener('input', () => { $('auto-review').hidden = true; confirmedSummary = null; });
}

// The settings first: the other sections' sentences come with them.
async function start() {
  try {
    fill(await ipc.getSettings());
    // The form holds the saved settings from here on (tests wait for it before reading it).
    document.body.dataset.filled = 'true';
  } catch (error) {
    status(error.message, false);
  }
  loadCards();
  ipc.autoTopUpState().then(showAuto).catch((error) => {
    $('auto-state').textContent = error.message;
  });
}
start();
