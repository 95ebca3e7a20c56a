// Suggested labels on the labelling page (loaded only when the project shows them):
// `a` accepts the focused paragraph's suggestion, Shift+A accepts every remaining one.
// Both keys click real buttons, so the page works the same with a mouse or without this file.
(function () {
  "use strict";

  const root = document.getElementById("annotate");
  if (!root) return;

  const rows = () => Array.from(document.querySelectorAll("#paragraphs > li.paragraph"));
  const focused = () => document.activeElement && document.activeElement.closest("li.paragraph");

  function nextUnlabelled(after) {
    const all = rows();
    const start = all.indexOf(after);
    const ordered = all.slice(start + 1).concat(all.slice(0, Math.max(start, 0)));
    return ordered.find((row) => row.dataset.labelled !== "1") || null;
  }

  function acceptFocused(current) {
    const row = current || focused();
    const button = row && row.querySelector("button[data-accept-suggestion]");
    if (!button || button.disabled) return false;
    // Like a label key: mark the row at once so the next key skips it while the POST runs.
    row.dataset.labelled = "1";
    const target = nextUnlabelled(row) || row;
    button.click();
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest" });
    return true;
  }

  function acceptAll() {
    const button = document.getElementById("accept-all-suggestions");
    if (!button || button.disabled) return false;
    button.disabled = true; // one POST, however often the key repeats
    button.form.requestSubmit ? button.form.requestSubmit(button) : button.form.submit();
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
