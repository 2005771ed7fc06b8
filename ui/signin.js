// The sign-in window: the token goes to Rust once, for checking and storing; it never comes back.

import * as ipc from './lib/ipc.js';

const $ = (id) => document.getElementById(id);

// Whether the app is on the demo account, and the demo button's words (from Rust).
let inDemo = false;
let demo = null;

async function loadContext() {
  try {
    const context = await ipc.signInContext();
    $('reason').hidden = !context.reason;
    $('reason').textContent = context.reason || '';
    $('signed-in-as').hidden = !context.signedInAs;
    $('signed-in-as').textContent = context.signedInAs || '';
    // The demo is offered from the user's platform; in the demo this window signs in there,
    // and offers the way out (its session may have ended). A sandbox chosen as the platform
    // in Settings offers neither.
    inDemo = context.inDemo;
    demo = context.demo;
    $('demo-offer').hidden = context.sandbox && !inDemo;
    $('demo-hint').textContent = demo.hint;
    $('try-demo').textContent = demo.button;
    $('token-hint').textContent = context.sandbox
      ? `Checked with the local sandbox (${context.backend}).`
      : `Checked with ${context.backend}.`;
  } catch (error) {
    $('token-hint').textContent = error.message;
  }
}

function showError(message) {
  $('token-error').textContent = message;
  $('token').setAttribute('aria-invalid', message ? 'true' : 'false');
}

async function submit(event) {
  event.preventDefault();
  const token = $('token').value;
  showError('');
  // One action at a time: a token checked while the demo starts would land in the demo.
  $('submit').disabled = true;
  $('try-demo').disabled = true;
  $('submit').textContent = 'Checking…';
  try {
    await ipc.signIn(token);
    // The shell closes this window on success.
    $('token').value = '';
  } catch (error) {
    showError(error.message);
    $('token').focus();
  } finally {
    $('submit').disabled = false;
    $('try-demo').disabled = false;
    $('submit').textContent = 'Sign in';
  }
}

async function tryDemo() {
  $('demo-error').textContent = '';
  $('try-demo').disabled = true;
  $('submit').disabled = true;
  $('try-demo').textContent = demo.busy;
  try {
    // Into the demo, the shell closes this window and shows the demo's figures; out of it,
    // this window stays for the user's platform unless their token is stored.
    await (inDemo ? ipc.leaveDemo() : ipc.tryDemo());
  } catch (error) {
    $('demo-error').textContent = error.message;
  } finally {
    $('try-demo').disabled = false;
    $('submit').disabled = false;
    await loadContext();
  }
}

$('form').addEventListener('submit', submit);
$('try-demo').addEventListener('click', tryDemo);
$('reveal').addEventListener('change', (event) => $('token').classList.toggle('reveal', event.target.checked));
$('token').addEventListener('keydown', (event) => {
  // Enter submits; a token never contains a line break.
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('form').requestSubmit();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') ipc.closeWindow();
});
$('token').focus();
loadContext();
