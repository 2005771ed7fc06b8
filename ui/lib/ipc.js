// The one gateway between the UI and the Rust shell: one wrapper per command, the popover's
// view updates, and the event subscriptions. No other module touches `window.__TAURI__`.

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
// The view model is pulled, not pushed: `next_view` answers once the shell has a view newer
// than the number given (0: at once), and one loop asks again after every answer. Events, and
// even listening to one, reach the page as scripts the shell evaluates, and WebKitGTK builds
// each evaluation's result with a JavaScript engine in the app's own process, which then stays
// loaded, about 5.6 MiB (src-tauri/src/presenter.rs): the popover listens to nothing until a
// quick top-up needs it.
let viewVersion = 0;
const viewHandlers = new Set();
let following = false;

/** The view model rendered now from what the shell has cached; answers without the network. */
export async function getView() {
  const { version, view } = await call('next_view', { after: 0 });
  viewVersion = Math.max(viewVersion, version);
  return view;
}

async function followViews() {
  for (;;) {
    try {
      const { version, view } = await call('next_view', { after: viewVersion });
      if (version <= viewVersion) continue;
      viewVersion = version;
      for (const handler of viewHandlers) handler(view);
    } catch (error) {
      console.warn('view updates interrupted; asking again in 1 s', error);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Calls `handler(view)` on every view model newer than the last one this page saw (through
 * `getView` too); returns an unsubscribe function.
 */
export function onViewUpdated(handler) {
  viewHandlers.add(handler);
  if (!following) {
    following = true;
    followViews();
  }
  return () => viewHandlers.delete(handler);
}

/** Asks for a refresh now; the result arrives through `onViewUpdated`. */
export const refreshNow = () => call('refresh_now');
/** The user read the notice about local files set aside at start. */
export const dismissNotices = () => call('dismiss_notices');
export const hidePopover = () => call('hide_popover');
export const openSettings = () => call('open_settings');
export const openAddCredit = () => call('open_add_credit');
export const openSignIn = () => call('open_sign_in');
/** The benchmark's paint mark (one log line); see `paint-mark.js`. */
export const popoverPainted = (timing) => call('popover_painted', { timing });

// Session
/** Validates the token with the platform and stores it in the keychain. Never returns it. */
export const signIn = (token) => call('sign_in', { token });
/** Why the sign-in window is shown and where the token will be checked. */
export const signInContext = () => call('sign_in_context');
/** Removes the token from the keychain; `forgetHistory` also deletes the local history. */
export const signOut = (forgetHistory = false) => call('sign_out', { forgetHistory });
/** "Try the demo account": the app moves to the demo account (its own token, figures, settings). */
export const tryDemo = () => call('try_demo');
/** Leaves the demo for the user's platform; its sign-in window opens when signed out there. */
export const leaveDemo = () => call('leave_demo');

// Settings
export const getSettings = () => call('get_settings');
export const saveSettings = (form) => call('save_settings', { form });
/** Shows a sample alert now; fails with kind `notifications_unavailable` when none can show. */
export const sendTestNotification = () => call('send_test_notification');

// Payments: the add-credit wizard. A card reaches Rust only as the payment service's token.
/** Prices, limits, suggested amounts, saved cards, and the attempt to resume. */
export const paymentContext = () => call('payment_context');
/** Prices an amount as typed; fails with kind `invalid_amount` and the reason. */
export const paymentQuote = (credits) => call('payment_quote', { credits });
/** Opens a payment for the chosen amount (nothing is charged). */
export const paymentBegin = (credits) => call('payment_begin', { credits });
/**
 * Pays with `card`: a saved card as listed (its `id` is a handle of this run), or a new card
 * as the payment service's form handed it over (`{ id: 'pm_…', brand, last4, expMonth,
 * expYear }`); `save` keeps a new one.
 */
export const paymentPay = (card, save) => call('payment_pay', { card, save });
/** The 3-D Secure page said `paymentId` no longer waits. */
export const paymentAuthenticated = (paymentId) => call('payment_authenticated', { paymentId });
/** Learns an unknown outcome by repeating the very same request. */
export const paymentCheckAgain = () => call('payment_check_again');
/** Cancels what was not confirmed; resolves to the attempt if it had succeeded after all. */
export const paymentCancel = () => call('payment_cancel');
/** The outcome was seen. */
export const paymentDone = () => call('payment_done');
// Quick top-up (the popover)
/** `{ quote, card, label, question }`, or `null` without a saved card. */
export const quickTopUpOffer = () => call('quick_top_up_offer');
/** Pays `credits` with the saved card whose handle is `card` (the offer's `card.id`). */
export const quickTopUp = (credits, card) => call('quick_top_up', { credits, card });

// Saved cards (the settings window)
/** `{ cards: [{ id, label, expiry, expired, expiryText }], unavailable }`. */
export const savedCards = () => call('saved_cards');
/** Removes the saved card of handle `card`; resolves to the cards left, as `savedCards`. */
export const removeSavedCard = (card) => call('remove_saved_card', { card });
// Auto top-up
export const autoTopUpState = () => call('auto_top_up_state');
export const autoTopUpPreview = (form) => call('auto_top_up_preview', { form });
export const autoTopUpEnable = (form, confirmed) => call('auto_top_up_enable', { form, confirmed });
export const autoTopUpDisable = () => call('auto_top_up_disable');

// Windows
/** Closes the calling window (it is destroyed; nothing stays in memory). */
export const closeWindow = () => tauri.window.getCurrentWindow().close();

// Events
/** Calls `handler(attempt)` whenever the payment attempt changes (`null` once it is gone). */
export const onPaymentUpdated = (handler) =>
  tauri.event.listen(EVENTS.PAYMENT_UPDATED, (event) => handler(event.payload));
/** Calls `handler(cards)` with the saved cards left whenever one is removed. */
export const onSavedCardsChanged = (handler) =>
  tauri.event.listen(EVENTS.CARDS_CHANGED, (event) => handler(event.payload));
