// Suggested labels on the labelling page (loaded only when the project shows them):
// `a` accepts the focused paragraph's suggestion, Shift+A accepts every remaining one.
// Both keys click real buttons, so the page works the same with a mouse or without this file.
(function () {
  "use strict";

  const root = document.getElementById("annotate");
  if (!root) return;

  const focused = () => document.activeElement && document.activeElement.closest("li.paragraph");

  function acceptFocused(current) {
    const row = current || focused();
    const button = row && row.querySelector("button[data-accept-suggestion]");
    if (!button || button.disabled) return false;
    // The click goes through annotate.js's write queue, which marks the row and moves on.
    button.click();
    return true;
  }

  function acceptAll() {
    const button = document.getElementById("accept-all-suggestions");
    if (!button || button.disabled) return false;
    // One htmx-style request like every other key; annotate.js ignores a repeat while queued.
    button.form.requestSubmit(button);
    return true;
  }

  // Keys come through annotate.js's extension event, so open dialogs and text fields are
  // respected exactly as for the built-in keys.
  document.addEventListener("annotate:key", (event) => {
    const detail = event.detail;
    if (detail.ctrl || detail.key !== "a") return;
    const done = detail.shift ? acceptAll() : acceptFocused(detail.row);
    if (done) event.preventDefault();
  });
})();
