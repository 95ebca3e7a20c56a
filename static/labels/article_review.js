// Whole-article adjudication by keyboard: j/k (or arrows) move between paragraphs; a label's
// key decides the focused undecided paragraph and moves on to the next undecided one. The
// note field rides along with the next decision. Without this file every row has real buttons.
(function () {
  "use strict";

  const root = document.getElementById("article-review");
  if (!root) return;
  const note = document.getElementById("decision-note");

  function rows() {
    return Array.from(root.querySelectorAll("tr.para"));
  }

  function focusRow(row) {
    if (!row) return;
    rows().forEach((r) => r.setAttribute("tabindex", "-1"));
    row.setAttribute("tabindex", "0");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function nextOpen(after) {
    const all = rows();
    const start = after ? all.indexOf(after) + 1 : 0;
    for (let i = start; i < all.length; i++) if (all[i].classList.contains("open")) return all[i];
    return all.find((r) => r.classList.contains("open"));
  }

  function current() {
    const active = document.activeElement;
    return active && active.closest ? active.closest("tr.para") : null;
  }

  // Copy the note into the row's form just before it is sent, then clear it.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("form.decide");
    if (!form) return;
    // A key press submits without a clicked button: name the chosen label explicitly.
    if (form.dataset.chosen) event.detail.parameters.label = form.dataset.chosen;
    if (note && note.value) event.detail.parameters.note = note.value;
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    const swapped = document.getElementById(event.detail.target.id) || event.detail.elt;
    if (!swapped || !swapped.matches || !swapped.matches("tr.para")) return;
    if (note) note.value = "";
    focusRow(nextOpen(swapped) || swapped);
    root.dataset.decided = String(Number(root.dataset.decided || 0) + 1);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    const row = current();
    if (event.key === "j" || event.key === "ArrowDown") {
      event.preventDefault();
      const all = rows();
      focusRow(row ? all[all.indexOf(row) + 1] || row : all[0]);
      return;
    }
    if (event.key === "k" || event.key === "ArrowUp") {
      event.preventDefault();
      const all = rows();
      focusRow(row ? all[all.indexOf(row) - 1] || row : all[0]);
      return;
    }
    if (!row) return;
    const button = row.querySelector('form.decide button[data-key="' + CSS.escape(event.key) + '"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    const form = button.form;
    form.dataset.chosen = button.value;
    form.querySelectorAll("button").forEach((b) => {
      if (b !== button) b.disabled = true;
    });
    form.requestSubmit(button);
  });

  focusRow(nextOpen(null) || rows()[0]);
  root.dataset.keys = "ready"; // browser tests wait for this before pressing keys
})();
