// Whole-article adjudication by keyboard: j/k (or arrows, or a click) choose a paragraph; a
// label's key (or a button of the decision panel) decides it as gold and moves on to the next
// undecided paragraph. The note rides along with the next decision, then clears. Without this
// file every undecided row links to the one-paragraph decision page.
(function () {
  "use strict";

  const root = document.getElementById("article-review");
  const panel = document.getElementById("decide-panel");
  if (!root || !panel) return;
  const which = document.getElementById("decide-which");
  const hidden = document.getElementById("decide-paragraph");
  const note = document.getElementById("decision-note");
  const buttons = () => Array.from(panel.querySelectorAll("button[data-key]"));

  function rows() {
    return Array.from(root.querySelectorAll("tr.para"));
  }

  function choose(row) {
    if (!row) return;
    rows().forEach((r) => r.setAttribute("tabindex", "-1"));
    row.setAttribute("tabindex", "0");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
    const open = row.classList.contains("open");
    hidden.value = open ? row.dataset.paragraph : "";
    panel.setAttribute("hx-target", "#" + row.id);
    which.textContent = open
      ? "Paragraph " + row.dataset.index + ":"
      : "Paragraph " + row.dataset.index + " is decided.";
    buttons().forEach((b) => {
      b.disabled = !open;
    });
  }

  function nextOpen(after) {
    const all = rows();
    const start = after ? all.indexOf(after) + 1 : 0;
    for (let i = start; i < all.length; i++) if (all[i].classList.contains("open")) return all[i];
    return all.find((r) => r.classList.contains("open"));
  }

  function current() {
    const active = document.activeElement;
    const row = active && active.closest ? active.closest("tr.para") : null;
    return row || rows().find((r) => r.getAttribute("tabindex") === "0");
  }

  // A key press submits without a clicked button: name the chosen label explicitly.
  panel.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button[data-key]");
    if (button) panel.dataset.chosen = button.value;
  });
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt !== panel) return;
    if (panel.dataset.chosen) event.detail.parameters.label = panel.dataset.chosen;
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.elt !== panel && event.detail.requestConfig?.elt !== panel) return;
    const swapped = document.getElementById(event.detail.target.id) || event.detail.target;
    if (note) note.value = "";
    delete panel.dataset.chosen;
    choose(nextOpen(swapped) || swapped);
    root.dataset.decided = String(Number(root.dataset.decided || 0) + 1);
  });

  root.addEventListener("click", (event) => {
    if (event.target.closest("a, button, input, form")) return;
    const row = event.target.closest("tr.para");
    if (row) choose(row);
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    const row = current();
    const all = rows();
    if (event.key === "j" || event.key === "ArrowDown") {
      event.preventDefault();
      choose(row ? all[all.indexOf(row) + 1] || row : all[0]);
      return;
    }
    if (event.key === "k" || event.key === "ArrowUp") {
      event.preventDefault();
      choose(row ? all[all.indexOf(row) - 1] || row : all[0]);
      return;
    }
    const button = buttons().find((b) => b.dataset.key === event.key);
    if (!button || button.disabled || !hidden.value) return;
    event.preventDefault();
    panel.dataset.chosen = button.value;
    buttons().forEach((b) => {
      b.disabled = true;
    });
    panel.requestSubmit(button);
  });

  choose(nextOpen(null) || rows()[0]);
  root.dataset.keys = "ready"; // browser tests wait for this before pressing keys
})();
