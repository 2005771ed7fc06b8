// Names shared with the Rust shell. Mirrors src-tauri/src/ipc.rs: change both together.

/** Events the shell emits (`domain://action`). */
export const EVENTS = Object.freeze({
  /** The payment attempt changed; payload: the attempt (`{ step, quote, … }`) or `null`. */
  PAYMENT_UPDATED: 'payment://updated',
  /** A saved card was removed; payload: the cards left (`[{ id, label, expiry, … }]`). */
  CARDS_CHANGED: 'payment://cards-changed',
});

/** Window labels. */
export const WINDOWS = Object.freeze({
  POPOVER: 'popover',
  SETTINGS: 'settings',
  SIGN_IN: 'signin',
  WIZARD: 'wizard',
});
