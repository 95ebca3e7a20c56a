// Keyboard-first labelling. The page works without this file (plain forms); this adds keys,
// focus movement and active-time tracking. Labels are saved by htmx POSTs from the forms.
(function () {
  "use strict";

  const root = document.getElementById("annotate");
  if (!root) return;
  const assignmentId = root.dataset.assignment;
  const timeKey = "active-seconds-" + assignmentId;
  let lastAction = Date.now();
  let activeSeconds = Number(sessionStorage.getItem(timeKey) || 0);

  const rows = () => Array.from(document.querySelectorAll("#paragraphs > li.paragraph"));
  const focused = () => document.activeElement && document.activeElement.closest("li.paragraph");

  function focusRow(row) {
    if (!row) return;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function nextUnlabelled(after) {
    const all = rows();
    const start = all.indexOf(after);
    const ordered = all.slice(start + 1).concat(all.slice(0, Math.max(start, 0)));
    return ordered.find((row) => row.dataset.labelled !== "1") || null;
  }

  function move(step) {
    const all = rows();
    const current = focused();
    const index = current ? all.indexOf(current) : -1;
    const target = all[Math.min(all.length - 1, Math.max(0, index + step))];
    focusRow(target);
  }

  function applyLabel(row, key) {
    const button = row.querySelector('button[data-key="' + CSS.escape(key) + '"]');
    if (!button || button.disabled) return false;
    // Optimistic: mark the row so the next keypress skips it while the POST is in flight.
    row.dataset.labelled = "1";
    const target = nextUnlabelled(row);
    button.click();
    focusRow(target || row);
    return true;
  }

  function submitArticle() {
    const button = document.getElementById("submit-article");
    if (!button || button.disabled) return;
    button.click();
  }

  function showError(text) {
    let box = document.getElementById("save-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "save-error";
      box.className = "error";
      box.setAttribute("role", "alert");
      root.prepend(box);
    }
    box.textContent = text;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    lastAction = Date.now();
    const row = focused();
    if (event.key === "j" || event.key === "ArrowDown") {
      move(1);
    } else if (event.key === "k" || event.key === "ArrowUp") {
      move(-1);
    } else if (event.key === "Enter") {
      if (tag === "button" || tag === "a") return; // let Enter activate the focused control
      submitArticle();
    } else if (row && applyLabel(row, event.key)) {
      // labelled
    } else {
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("pointerdown", () => {
    lastAction = Date.now();
  });

  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const row = event.detail.elt && event.detail.elt.closest("li.paragraph");
    if (row) row.dataset.labelled = row.classList.contains("labelled") ? "1" : "0";
    showError("Not saved (" + xhr.status + "): " + (xhr.responseText || "server error").slice(0, 200));
  });
  document.body.addEventListener("htmx:sendError", () => {
    showError("Not saved: the server could not be reached. Check your connection and press the key again.");
  });

  // Active time: seconds in which the tab had focus and the user acted within the last minute.
  setInterval(() => {
    if (document.hasFocus() && Date.now() - lastAction < 60000) {
      activeSeconds += 1;
      sessionStorage.setItem(timeKey, String(activeSeconds));
    }
  }, 1000);
  document.addEventListener("submit", (event) => {
    if (event.target.id === "submit-form") {
      const field = document.getElementById("active-seconds");
      if (field) field.value = String(activeSeconds);
      sessionStorage.removeItem(timeKey);
    }
  });

  const first = rows().find((row) => row.dataset.labelled !== "1") || rows()[0];
  focusRow(first);
})();
