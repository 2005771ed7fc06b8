// Tells the app that embeds this page how the 3-D Secure step ended. The message is aimed at
// each allowed origin in turn; the browser delivers it only if the parent has that origin.
"use strict";

(() => {
  const data = document.body.dataset;
  if (window.parent === window || !data.targets) {
    return;
  }
  const message = { type: "3ds-complete", paymentId: data.paymentId, status: data.status };
  for (const origin of JSON.parse(data.targets)) {
    window.parent.postMessage(message, origin);
  }
})();
