// Keyboard adjudication: a label's key submits it as gold, "s" skips to the next paragraph.
// The page works without this file (plain buttons and links).
(function () {
  "use strict";

  const root = document.getElementById("adjudicate");
  if (!root) return;

  const current = document.getElementById("current-paragraph");
  if (current) current.scrollIntoView({ block: "center" });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    if (event.key === "s") {
      const skip = document.getElementById("skip");
      if (skip) {
        event.preventDefault();
        skip.click();
      }
      return;
    }
    const button = root.querySelector('#gold-form button[data-key="' + CSS.escape(event.key) + '"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    // Disable the buttons so a second key press cannot post a second decision.
    button.form.requestSubmit(button);
    root.querySelectorAll("#gold-form button").forEach((b) => {
      b.disabled = true;
    });
  });
  root.dataset.keys = "ready"; // browser tests wait for this before pressing keys
})();
