// The payment service's pages as the wizard frames them: their addresses, with this page's
// origin as `parent`, and the messages they post, taken only from the service's exact origin
// and only from the frame that shows the page. What comes through is a token with a brand and
// the last four digits: never a card number or a security code.

/** The wizard's own origin, as the payment service must name it in `parent`. */
export const PARENT_ORIGIN = location.origin && location.origin !== 'null'
  ? location.origin : `${location.protocol}//${location.host}`;

/** A page of the payment service, addressed to this window. */
export const framed = (url) => `${url}?parent=${encodeURIComponent(PARENT_ORIGIN)}`;

const BRANDS = Object.freeze({
  visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover',
  diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay',
});

/** The brand as people write it. */
export const brandName = (brand) => BRANDS[brand] || 'Card';

/** The card a `payment-method` message carries, or `null` unless it is a well-formed token. */
function readCard(method) {
  if (!method || typeof method !== 'object') return null;
  const token = typeof method.id === 'string' && /^pm_[A-Za-z0-9_]{1,96}$/.test(method.id);
  const last4 = typeof method.last4 === 'string' && /^\d{4}$/.test(method.last4);
  if (!token || !last4) return null;
  const brand = typeof method.brand === 'string' && /^[a-z]{1,20}$/.test(method.brand)
    ? method.brand : null;
  return {
    id: method.id,
    brand,
    last4: method.last4,
    expMonth: Number.isInteger(method.expMonth) ? method.expMonth : null,
    expYear: Number.isInteger(method.expYear) ? method.expYear : null,
    label: `${brandName(brand)} •••• ${method.last4}`,
  };
}

/**
 * Follows the service's frames: `onCard(card)` once the card form accepted a card,
 * `onAuthenticated(paymentId)` once the 3-D Secure page is done. `origin()` answers the
 * service's origin (`scheme://host:port`), `null` while it is not known.
 */
export function listen({ origin, cardFrame, authFrame, onCard, onAuthenticated }) {
  window.addEventListener('message', (event) => {
    const expected = origin();
    // Only the payment service's own origin speaks for a card or a bank.
    if (!expected || event.origin !== expected) return;
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.type === 'payment-method' && event.source === cardFrame.contentWindow) {
      const card = readCard(data.paymentMethod);
      if (card) onCard(card);
    } else if (data.type === '3ds-complete' && event.source === authFrame.contentWindow
        && typeof data.paymentId === 'string') {
      onAuthenticated(data.paymentId);
    }
  });
}
