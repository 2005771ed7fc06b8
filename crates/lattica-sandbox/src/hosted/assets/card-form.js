// The hosted card form. Checks each field as it is typed (the server checks everything
// again), sends the card to this origin only, and hands the resulting token to the app with
// postMessage aimed at the allowed parent origin alone. The number and the CVC never leave
// this origin, and are cleared from the page once the card is accepted.
"use strict";

(() => {
  const parentOrigin = document.body.dataset.parent;
  const form = document.getElementById("card-form");
  const submit = document.getElementById("submit");
  const status = document.getElementById("form-status");
  const badge = document.getElementById("brand");
  const names = ["number", "expiry", "cvc", "name", "postalCode"];
  const inputs = Object.fromEntries(names.map((name) => [name, document.getElementById(name)]));

  const within = (digits, length, low, high) => {
    const prefix = Number(digits.slice(0, length));
    return digits.length >= length && prefix >= low && prefix <= high;
  };

  // The same table, in the same order, as the server's (src/payments/cards.rs).
  const BRANDS = [
    { id: "amex", name: "American Express", lengths: [15], cvc: 4, test: (d) => /^3[47]/.test(d) },
    { id: "visa", name: "Visa", lengths: [13, 16, 19], cvc: 3, test: (d) => d.startsWith("4") },
    {
      id: "mastercard", name: "Mastercard", lengths: [16], cvc: 3,
      test: (d) => /^5[1-5]/.test(d) || within(d, 4, 2221, 2720),
    },
    {
      id: "discover", name: "Discover", lengths: [16, 17, 18, 19], cvc: 3,
      test: (d) => d.startsWith("6011") || within(d, 3, 644, 649) || d.startsWith("65"),
    },
    { id: "jcb", name: "JCB", lengths: [16, 17, 18, 19], cvc: 3, test: (d) => within(d, 4, 3528, 3589) },
    {
      id: "diners", name: "Diners Club", lengths: [14, 15, 16, 17, 18, 19], cvc: 3,
      test: (d) => within(d, 3, 300, 305) || /^3[689]/.test(d),
    },
    { id: "unionpay", name: "UnionPay", lengths: [16, 17, 18, 19], cvc: 3, test: (d) => d.startsWith("62") },
  ];

  const digitsOf = (value) => value.replace(/[\s-]/g, "");
  const brandOf = (digits) => BRANDS.find((brand) => brand.test(digits));
  const orList = (items) =>
    items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}` : `${items[0]}`;

  function luhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    return digits.length > 0 && sum % 10 === 0;
  }

  function parseExpiry(value) {
    const match = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(value);
    if (!match) return null;
    const year = Number(match[2]);
    return { month: Number(match[1]), year: year < 100 ? 2000 + year : year };
  }

  const checks = {
    number(value) {
      if (!value.trim()) return "Enter the card number.";
      if (!/^[\d\s-]+$/.test(value)) return "A card number has digits only.";
      const digits = digitsOf(value);
      if (digits.length < 12 || digits.length > 19) return "This card number is incomplete or too long.";
      const brand = brandOf(digits);
      if (!brand) return "This card brand is not accepted.";
      if (!brand.lengths.includes(digits.length)) {
        return `${brand.name} card numbers have ${orList(brand.lengths)} digits.`;
      }
      if (!luhn(digits)) return "This card number is not valid. Check it for typos.";
      return "";
    },
    expiry(value) {
      const expiry = parseExpiry(value);
      if (!expiry) return "Enter the expiry date as MM / YY.";
      if (expiry.month < 1 || expiry.month > 12) return "Enter a valid expiry month (01 to 12).";
      const now = new Date();
      const year = now.getUTCFullYear();
      const month = now.getUTCMonth() + 1;
      if (expiry.year < year || (expiry.year === year && expiry.month < month)) return "This card has expired.";
      if (expiry.year > year + 20) return "Enter a valid expiry year.";
      return "";
    },
    cvc(value) {
      const cvc = value.trim();
      const brand = brandOf(digitsOf(inputs.number.value));
      if (!brand) return /^\d{3,4}$/.test(cvc) ? "" : "Enter the 3- or 4-digit security code.";
      if (cvc.length === brand.cvc && /^\d+$/.test(cvc)) return "";
      return `Enter the ${brand.cvc}-digit security code of your ${brand.name} card.`;
    },
    name(value) {
      const name = value.trim();
      return name && name.length <= 100 ? "" : "Enter the name as it appears on the card.";
    },
    postalCode(value) {
      const code = value.trim();
      return !code || /^[A-Za-z0-9 -]{3,10}$/.test(code) ? "" : "Enter a valid postal code, or leave it empty.";
    },
  };

  // A field shows its message once it was left (or the form submitted), then stays live.
  const touched = new Set();

  function show(name, message) {
    const error = document.getElementById(`${name}-error`);
    error.textContent = message;
    error.hidden = !message;
    inputs[name].setAttribute("aria-invalid", message ? "true" : "false");
  }

  function check(name) {
    const message = checks[name](inputs[name].value);
    if (touched.has(name)) show(name, message);
    return message;
  }

  function setStatus(message, kind) {
    status.textContent = message;
    status.className = kind ? `status ${kind}` : "status";
  }

  function formatNumber() {
    const input = inputs.number;
    const digits = digitsOf(input.value);
    const brand = /^\d*$/.test(digits) ? brandOf(digits) : undefined;
    badge.textContent = brand ? brand.name : "";
    // Regroup only while typing at the end, so the caret never jumps under the user.
    if (!/^\d*$/.test(digits) || input.selectionStart !== input.value.length) return;
    const sizes = brand && brand.id === "amex" ? [4, 6, 5] : [4, 4, 4, 4, 3];
    const groups = [];
    let rest = digits;
    for (const size of sizes) {
      if (!rest) break;
      groups.push(rest.slice(0, size));
      rest = rest.slice(size);
    }
    input.value = groups.join(" ");
    if (digits.length >= 15 && brand && brand.lengths.includes(digits.length)) touched.add("number");
  }

  function formatExpiry(event) {
    const input = inputs.expiry;
    if ((event.inputType || "").startsWith("delete") || input.selectionStart !== input.value.length) return;
    let digits = input.value.replace(/\D/g, "").slice(0, 4);
    if (digits.length === 1 && digits > "1") digits = `0${digits}`;
    input.value = digits.length >= 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
  }

  for (const name of names) {
    inputs[name].addEventListener("input", (event) => {
      if (name === "number") formatNumber();
      if (name === "expiry") formatExpiry(event);
      check(name);
      if (name === "number" && touched.has("cvc")) check("cvc");
      setStatus("", "");
    });
    inputs[name].addEventListener("blur", () => {
      if (inputs[name].value || touched.has(name)) {
        touched.add(name);
        check(name);
      }
    });
  }

  function accepted(method) {
    inputs.number.value = "";
    inputs.cvc.value = "";
    badge.textContent = "";
    touched.clear();
    names.forEach((name) => show(name, ""));
    const brand = BRANDS.find((b) => b.id === method.brand);
    setStatus(`Card accepted: ${brand ? brand.name : method.brand} ending in ${method.last4}.`, "ok");
    if (window.parent !== window && parentOrigin) {
      window.parent.postMessage({ type: "payment-method", paymentMethod: method }, parentOrigin);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    names.forEach((name) => touched.add(name));
    const failing = names.filter((name) => check(name));
    if (failing.length > 0) {
      inputs[failing[0]].focus();
      setStatus("Check the highlighted fields.", "failed");
      return;
    }
    const expiry = parseExpiry(inputs.expiry.value);
    const card = {
      number: digitsOf(inputs.number.value),
      expMonth: expiry.month,
      expYear: expiry.year,
      cvc: inputs.cvc.value.trim(),
      name: inputs.name.value.trim(),
      postalCode: inputs.postalCode.value.trim(),
    };
    submit.disabled = true;
    setStatus("Checking the card…", "");
    try {
      const response = await fetch("/v1/payment_methods", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(card),
        credentials: "omit",
        cache: "no-store",
      });
      const body = await response.json();
      if (response.ok) {
        accepted(body);
      } else if (body.field && inputs[body.field]) {
        show(body.field, body.error);
        inputs[body.field].focus();
        setStatus("Check the highlighted fields.", "failed");
      } else {
        setStatus(body.error || "The card could not be checked.", "failed");
      }
    } catch {
      setStatus("The payment service did not answer. Try again.", "failed");
    } finally {
      submit.disabled = false;
    }
  });
})();
