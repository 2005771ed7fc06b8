// The settings window: edits lattica-core's settings form; validation happens in Rust and
// comes back per field.

import * as ipc from './lib/ipc.js';

const $ = (id) => document.getElementById(id);
const TEXT_FIELDS = ['refreshIntervalSecs', 'lowThreshold', 'criticalThreshold', 'backendUrl', 'consoleUrl', 'listPrices'];
const SELECTS = ['lowUnit', 'criticalUnit'];
const CHECKS = ['notifications', 'launchAtLogin'];

/** "15 s", "5 min", "1 h". */
function duration(secs) {
  if (secs % 3600 === 0) return `${secs / 3600} h`;
  if (secs % 60 === 0) return `${secs / 60} min`;
  return `${secs} s`;
}

function fill(view) {
  const { form } = view;
  for (const id of TEXT_FIELDS) $(id).value = form[id] ?? '';
  for (const id of SELECTS) $(id).value = form[id];
  for (const id of CHECKS) $(id).checked = Boolean(form[id]);
  $('refreshIntervalSecs').min = view.minRefreshSecs;
  $('refreshIntervalSecs').max = view.maxRefreshSecs;
  $('refreshIntervalSecs-hint').textContent =
    `Between ${duration(view.minRefreshSecs)} and ${duration(view.maxRefreshSecs)}. The balance also refreshes when you open the popover.`;
  $('backendUrl-hint').textContent = view.backendNote
    || 'Leave empty for the Lattica platform. https only (http for localhost).';
  $('account').textContent = view.signedIn ? `Signed in to ${view.backend}.` : `Signed out (${view.backend}).`;
  $('sign-out').hidden = !view.signedIn;
  $('sign-in').hidden = view.signedIn;
}

function read() {
  const form = {};
  for (const id of TEXT_FIELDS) form[id] = $(id).value;
  for (const id of SELECTS) form[id] = $(id).value;
  for (const id of CHECKS) form[id] = $(id).checked;
  return form;
}

function clearErrors() {
  for (const id of TEXT_FIELDS) {
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
  $('save').disabled = true;
  try {
    fill(await ipc.saveSettings(read()));
    status('Saved.', true);
  } catch (error) {
    if (error.kind === 'invalid_settings' && Array.isArray(error.errors)) {
      for (const { field, message } of error.errors) {
        $(`${field}-error`).textContent = message;
        $(field).setAttribute('aria-invalid', 'true');
      }
      $(error.errors[0].field).focus();
      status('Please correct the marked fields.', false);
    } else {
      status(error.message, false);
    }
  } finally {
    $('save').disabled = false;
  }
}

async function signOut() {
  try {
    await ipc.signOut();
    fill(await ipc.getSettings());
    status('Signed out.', true);
  } catch (error) {
    status(error.message, false);
  }
}

$('form').addEventListener('submit', save);
$('close').addEventListener('click', () => ipc.closeWindow());
$('sign-out').addEventListener('click', signOut);
$('sign-in').addEventListener('click', () => ipc.openSignIn());
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') ipc.closeWindow();
});
ipc.getSettings().then(fill).catch((error) => status(error.message, false));

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
  if (view.unavailable) {
    $('auto-state').textContent = 'Unavailable on this platform.';
    $('auto-unavailable').textContent = view.unavailable;
    $('auto-unavailable').hidden = false;
    $('auto-fields').hidden = true;
    return;
  }
  const cards = $('auto-card');
  const chosen = cards.value;
  cards.replaceChildren(...view.cards.map((card) => {
    const option = document.createElement('option');
    option.value = card.id;
    option.textContent = card.label;
    return option;
  }));
  if (chosen) cards.value = chosen;
  let state = view.enabled ? `On. ${view.summary} ${view.spend}.` : 'Off.';
  if (!view.enabled && view.offReason) state = `Off: ${view.offReason}`;
  if (!view.cards.length && !view.enabled) state += ' Save a card with a payment first (Add credit…).';
  $('auto-state').textContent = state;
  $('auto-on').textContent = view.enabled ? 'Change…' : 'Turn on…';
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
ipc.autoTopUpState().then(showAuto).catch((error) => {
  $('auto-state').textContent = error.kind === 'not_signed_in' ? 'Sign in to set up auto top-up.' : error.message;
});
