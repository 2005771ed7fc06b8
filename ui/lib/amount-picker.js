// The wizard's amount: suggested amounts as choices, or another amount checked as it is typed
// (by Rust, against the platform's limits), with its price and the runtime it adds.

import * as ipc from './ipc.js';
import { choice } from './choices.js';

const $ = (id) => document.getElementById(id);
/** Typing pauses this long before the amount is checked. */
const QUOTE_DELAY_MS = 200;

const capitalize = (text) => (text ? text[0].toUpperCase() + text.slice(1) : '');

/**
 * Sets up the amount step; `onChange(quote)` follows the chosen amount (`null` while there is
 * no valid one). Answers `{ show(suggestions, preselected) }`.
 */
export function amountPicker(onChange) {
  let timer = 0;
  let seq = 0;

  function set(quote) {
    $('amount-price').textContent = quote ? quote.price : '';
    $('amount-runtime').textContent = quote && quote.runtime ? `${capitalize(quote.runtime)}.` : '';
    $('amount-summary').classList.toggle('empty', !quote);
    onChange(quote);
  }

  function error(message) {
    $('amount-error').textContent = message;
    $('custom-credits').setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  function pick(quote) {
    $('custom-credits').value = '';
    error('');
    set(quote);
  }

  $('custom-credits').addEventListener('input', () => {
    const text = $('custom-credits').value;
    for (const radio of document.querySelectorAll('#suggestions input')) radio.checked = false;
    clearTimeout(timer);
    onChange(null);
    if (!text.trim()) {
      error('');
      set(null);
      return;
    }
    const mine = ++seq;
    timer = setTimeout(async () => {
      try {
        const quote = await ipc.paymentQuote(text);
        if (mine !== seq) return;
        error('');
        set(quote);
      } catch (failure) {
        if (mine !== seq) return;
        set(null);
        error(failure.message);
      }
    }, QUOTE_DELAY_MS);
  });

  return {
    show(suggestions, preselected) {
      $('suggestions').replaceChildren(...suggestions.map((quote) => choice({
        id: `amount-${quote.credits}`,
        name: 'amount',
        value: quote.credits,
        main: quote.creditsText,
        unit: 'credits',
        sub: quote.price,
        checked: quote.credits === preselected,
        onChange: () => pick(quote),
      })));
      set(suggestions.find((q) => q.credits === preselected) || null);
    },
  };
}
