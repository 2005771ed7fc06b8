// The one gateway between the UI and the Rust shell: one wrapper per command, and the event
// subscriptions. No other module touches `window.__TAURI__`.

import { EVENTS } from './events.js';

const tauri = window.__TAURI__;

/** A command's failure, as the shell serializes it: `{ kind, message }`. */
export class IpcError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'IpcError';
    this.kind = kind;
  }
}

async function call(command, args) {
  try {
    return await tauri.core.invoke(command, args);
  } catch (error) {
    if (error && typeof error === 'object' && 'kind' in error) {
      const failure = new IpcError(error.kind, error.message);
      // Settings validation names every field in error.
      if (Array.isArray(error.errors)) failure.errors = error.errors;
      throw failure;
    }
    throw new IpcError('internal', String(error));
  }
}

// Popover
/** The cached view model; answers at once, without waiting for the network. */
export const getView = () => call('get_view');
/** Asks for a refresh now; the result arrives through `onViewUpdated`. */
export const refreshNow = () => call('refresh_now');
export const hidePopover = () => call('hide_popover');
export const openSettings = () => call('open_settings');
export const openAddCredit = () => call('open_add_credit');
export const openSignIn = () => call('open_sign_in');
/** The benchmark's paint mark (one log line); see `paint-mark.js`. */
export const popoverPainted = () => call('popover_painted');

// Session
/** Validates the token with the platform and stores it in the keychain. Never returns it. */
export const signIn = (token) => call('sign_in', { token });
/** Why the sign-in window is shown and where the token will be checked. */
export const signInContext = () => call('sign_in_context');
export const signOut = () => call('sign_out');

// Settings
export const getSettings = () => call('get_settings');
export const saveSettings = (form) => call('save_settings', { form });

// Windows
/** Closes the calling window (it is destroyed; nothing stays in memory). */
export const closeWindow = () => tauri.window.getCurrentWindow().close();

// Events
/** Calls `handler(view)` on every new view model; resolves to an unsubscribe function. */
export const onViewUpdated = (handler) =>
  tauri.event.listen(EVENTS.VIEW_UPDATED, (event) => handler(event.payload));
export const onSessionChanged = (handler) =>
  tauri.event.listen(EVENTS.SESSION_CHANGED, (event) => handler(event.payload));
