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
