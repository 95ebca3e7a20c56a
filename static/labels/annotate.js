// Keyboard-first labelling. The page works without this file (plain forms post and redirect
// back); this adds the keys, focus movement, the dialogs and active-time tracking.
//
// Extending it from another static script (no edits here needed):
//  - Listen for the cancelable "annotate:key" event on document. Its detail is
//    {key, shift, ctrl, row, event}: `key` is normalised (digits from the physical key, so
//    Shift+1 is key "1" with shift true; letters lower-case). Call preventDefault() to take
//    the key; the built-in bindings then leave it alone.
//  - Or, once "annotate:ready" has fired on document, call
//    window.annotate.bindKey({key: "a", shift: false, needsOpen: true}, (row) => ...).
//    window.annotate also offers currentRow(), focusRow(row), nextUnlabelled(row) and
//    post(url, values): a POST queued behind every other write of this page.
// Every write is queued on #paragraphs (hx-sync "queue all"), so keypresses reach the server in
// the order they were made: an undo right after a label undoes that label.
(function () {
  "use strict";

  const root = document.getElementById("annotate");
  const list = document.getElementById("paragraphs");
  if (!root || !list || !window.htmx) return;
  const isOpen = root.dataset.open === "1";
  const announceBox = document.getElementById("announce");
  let lastAction = Date.now();

  // ---------------------------------------------------------------- rows and focus
  let currentId = null;
  const rows = () => Array.from(list.querySelectorAll(":scope > li.paragraph"));
  const focusedRow = () => document.activeElement && document.activeElement.closest("#paragraphs > li.paragraph");
  const currentRow = () => focusedRow() || (currentId && document.getElementById(currentId)) || null;
  const isLabelled = (row) => row.dataset.labelled === "1";

  function focusRow(row) {
    if (!row) return;
    currentId = row.id;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  list.addEventListener("focusin", (event) => {
    const row = event.target.closest("li.paragraph");
    if (row) currentId = row.id;
  });

  function nextUnlabelled(after) {
    const all = rows();
    const start = all.indexOf(after);
    const ordered = all.slice(start + 1).concat(all.slice(0, Math.max(start, 0)));
    return ordered.find((row) => !isLabelled(row)) || null;
  }

  function move(step) {
    const all = rows();
    const current = currentRow();
    const index = current ? all.indexOf(current) : -1;
    focusRow(all[Math.min(all.length - 1, Math.max(0, index + step))]);
  }

  function announce(text) {
    if (announceBox) announceBox.textContent = text;
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

  // ---------------------------------------------------------------- writes
  // All keyboard writes go through htmx.ajax with #paragraphs as the source, so they share its
  // request queue; responses find their paragraphs by id when they arrive.
  function post(url, values, selectOOB) {
    return htmx.ajax("POST", url, { source: list, swap: "none", values: values || {}, selectOOB: selectOOB });
  }

  function labelButton(row, key) {
    const button = row && row.querySelector('button[data-key="' + CSS.escape(key) + '"]');
    return button && !button.disabled ? button : null;
  }

  function applyLabel(row, button) {
    // Optimistic: mark the row so the next keypress skips it while the POST is in flight.
    row.dataset.labelled = "1";
    const target = nextUnlabelled(row);
    post(button.form.getAttribute("action"), { label: button.value }, "#" + row.id);
    focusRow(target || row);
  }

  function applyRun(row, button) {
    const all = rows();
    let end = all.indexOf(row);
    while (end + 1 < all.length && !isLabelled(all[end + 1])) end += 1;
    all.slice(all.indexOf(row), end + 1).forEach((each) => { each.dataset.labelled = "1"; });
    post(root.dataset.runUrl, { paragraph: row.dataset.paragraph, label: button.value });
    focusRow(nextUnlabelled(all[end]) || all[end]);
  }

  function clickIfEnabled(id) {
    const button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  // ---------------------------------------------------------------- dialogs
  const dialogs = () => Array.from(document.querySelectorAll("dialog[open]"));

  function openDialog(id, focusId) {
    const dialog = document.getElementById(id);
    if (!dialog || dialog.open) return;
    dialog.showModal();
    const first = focusId && document.getElementById(focusId);
    if (first) first.focus();
  }

  function openFlag(row) {
    if (!row || !isOpen) return;
    document.getElementById("flag-paragraph").value = row.dataset.paragraph;
    document.getElementById("flag-paragraph-number").textContent = row.querySelector(".index").textContent;
    const existing = row.querySelector(".flag-note q");
    document.getElementById("flag-note").value = existing ? existing.textContent : "";
    document.getElementById("flag-remove").hidden = row.dataset.flagged !== "1";
    currentId = row.id;
    openDialog("flag-dialog", "flag-note");
  }

  function toggleHelp() {
    const help = document.getElementById("help-dialog");
    if (help.open) help.close();
    else openDialog("help-dialog", "help-title");
  }

  document.getElementById("help-button").addEventListener("click", toggleHelp);
  document.getElementById("flag-button").addEventListener("click", () => openFlag(currentRow() || rows()[0]));
  document.getElementById("skip-button").addEventListener("click", () => openDialog("skip-dialog", "skip-reason"));
  document.querySelectorAll("dialog [data-close-dialog]").forEach((button) => {
    button.addEventListener("click", () => button.closest("dialog").close());
  });
  const helpTitle = document.getElementById("help-title");
  if (helpTitle) helpTitle.tabIndex = -1;

  // Enter in a dialog's note sends it (Shift+Enter for a new line): `f`, type, Enter.
  ["flag-note", "skip-reason"].forEach((id) => {
    const field = document.getElementById(id);
    if (!field) return;
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        field.form.requestSubmit();
      }
    });
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (form && form.id === "flag-form" && event.detail.successful) {
      document.getElementById("flag-dialog").close();
    }
  });
  document.getElementById("flag-dialog").addEventListener("close", () => {
    const row = currentId && document.getElementById(currentId);
    if (row) focusRow(row);
  });

  // ---------------------------------------------------------------- key bindings
  const bindings = [];

  // spec: {key: string | string[], shift?: boolean (omit: either), ctrl?: boolean,
  //        needsRow?: boolean, needsOpen?: boolean, match?: (key) => boolean}
  function bindKey(spec, run) {
    bindings.push(Object.assign({ ctrl: false, needsRow: false, needsOpen: false }, spec, { run: run }));
  }

  function keyOf(event) {
    const digit = /^(?:Digit|Numpad)(\d)$/.exec(event.code || "");
    if (digit) return digit[1];
    return event.key.length === 1 ? event.key.toLowerCase() : event.key;
  }

  function matches(binding, key, event) {
    const ctrl = event.ctrlKey || event.metaKey;
    if (binding.ctrl !== ctrl) return false;
    if (binding.shift !== undefined && binding.shift !== event.shiftKey) return false;
    if (binding.match) return binding.match(key);
    return [].concat(binding.key).includes(key);
  }

  const labelKeys = new Set(Array.from(list.querySelectorAll("button[data-key]"), (b) => b.dataset.key.toLowerCase()));

  // Label keys first: they are the project's own configuration.
  bindKey({ match: (key) => labelKeys.has(key), shift: false, needsRow: true, needsOpen: true }, (row, key) => {
    const button = labelButton(row, key);
    if (button) applyLabel(row, button);
  });
  bindKey({ match: (key) => labelKeys.has(key), shift: true, needsRow: true, needsOpen: true }, (row, key) => {
    const button = labelButton(row, key);
    if (button) applyRun(row, button);
  });
  bindKey({ key: ["j", "ArrowDown"], shift: false }, () => move(1));
  bindKey({ key: ["k", "ArrowUp"], shift: false }, () => move(-1));
  bindKey({ key: "u", shift: false, needsOpen: true }, () => clickIfEnabled("undo-button"));
  bindKey({ key: "z", ctrl: true, shift: false, needsOpen: true }, () => clickIfEnabled("undo-button"));
  bindKey({ key: "f", shift: false, needsRow: true, needsOpen: true }, (row) => openFlag(row));
  bindKey({ key: "s", shift: false, needsOpen: true }, () => openDialog("skip-dialog", "skip-reason"));
  bindKey({ key: "?" }, toggleHelp);
  bindKey({ key: "Enter", shift: false }, () => clickIfEnabled("submit-article"));

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.isComposing) return;
    const target = event.target;
    const tag = (target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable) return;
    const key = keyOf(event);
    const open = dialogs();
    // Inside a dialog only `?` (to close the help) is ours; Esc and Tab stay native.
    if (open.length && !(key === "?" && open[0].id === "help-dialog")) return;
    // Enter on a focused button or link activates it, as everywhere else.
    if (key === "Enter" && (tag === "button" || tag === "a")) return;
    lastAction = Date.now();
    const row = currentRow();
    const detail = { key: key, shift: event.shiftKey, ctrl: event.ctrlKey || event.metaKey, row: row, event: event };
    const extension = new CustomEvent("annotate:key", { cancelable: true, detail: detail });
    if (!document.dispatchEvent(extension)) {
      event.preventDefault();
      return;
    }
    const binding = bindings.find((each) => matches(each, key, event));
    if (!binding) return;
    event.preventDefault();
    if (binding.needsOpen && !isOpen) return;
    if (binding.needsRow && !row) return;
    binding.run(row, key, event);
  });

  // ---------------------------------------------------------------- server feedback
  document.body.addEventListener("annotate:focus", (event) => {
    focusRow(document.getElementById(event.detail.id));
  });
  document.body.addEventListener("annotate:announce", (event) => announce(event.detail.message));

  function resyncLabelled() {
    rows().forEach((row) => { row.dataset.labelled = row.classList.contains("labelled") ? "1" : "0"; });
  }
  document.body.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    resyncLabelled();
    showError("Not saved (" + xhr.status + "): " + (xhr.responseText || "server error").slice(0, 200));
  });
  document.body.addEventListener("htmx:sendError", () => {
    resyncLabelled();
    showError("Not saved: the server could not be reached. Check your connection and press the key again.");
  });
  // A swap that replaced the focused paragraph leaves focus on <body>; put it back.
  document.body.addEventListener("htmx:afterSettle", () => {
    if (dialogs().length) return;
    if (!focusedRow() && currentId && (document.activeElement === document.body || !document.activeElement)) {
      focusRow(document.getElementById(currentId));
    }
  });

  // ---------------------------------------------------------------- active time
  // Seconds in which the tab had focus and the user acted within the last minute. The count
  // not yet sent rides along with the next write (active_delta) and survives a reload in
  // sessionStorage; a hidden or closed tab sends it with a beacon.
  const timeKey = "active-pending-" + root.dataset.assignment;
  const clock = document.getElementById("article-time");
  let serverSeconds = Number(clock ? clock.dataset.seconds : 0) || 0;
  let pending = Number(sessionStorage.getItem(timeKey) || 0);
  let inflight = 0;

  function savePending() {
    sessionStorage.setItem(timeKey, String(pending));
  }

  function formatSeconds(total) {
    total = Math.floor(total);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = String(total % 60).padStart(2, "0");
    return hours ? hours + ":" + String(minutes).padStart(2, "0") + ":" + seconds : minutes + ":" + seconds;
  }

  function showClock() {
    if (clock) clock.textContent = formatSeconds(serverSeconds + inflight + pending);
  }

  document.addEventListener("pointerdown", () => { lastAction = Date.now(); });

  setInterval(() => {
    if (isOpen && document.visibilityState === "visible" && document.hasFocus() && Date.now() - lastAction < 60000) {
      pending += 1;
      savePending();
      showClock();
    }
  }, 1000);

  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.verb !== "post" || !isOpen) return;
    event.detail.activeDelta = pending;
    event.detail.parameters.active_delta = String(pending);
    inflight += pending;
    pending = 0;
    savePending();
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const delta = (event.detail.requestConfig && event.detail.requestConfig.activeDelta) || 0;
    inflight -= delta;
    if (event.detail.successful) serverSeconds += delta;
    else pending += delta;
    savePending();
    showClock();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id === "submit-form") document.getElementById("active-seconds").value = String(pending);
    else if (form.id === "skip-form") document.getElementById("skip-active-delta").value = String(pending);
    else return;
    pending = 0;
    sessionStorage.removeItem(timeKey);
  });

  function sendBeacon() {
    if (!isOpen || pending < 1 || !navigator.sendBeacon) return;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const data = new FormData();
    data.append("active_delta", String(pending));
    if (token) data.append("csrfmiddlewaretoken", token.value);
    if (navigator.sendBeacon(root.dataset.activityUrl, data)) {
      serverSeconds += pending;
      pending = 0;
      savePending();
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") sendBeacon();
  });
  window.addEventListener("pagehide", sendBeacon);

  // ---------------------------------------------------------------- start
  window.annotate = {
    bindKey: bindKey,
    currentRow: currentRow,
    focusRow: focusRow,
    nextUnlabelled: nextUnlabelled,
    post: post,
  };
  document.dispatchEvent(new CustomEvent("annotate:ready"));
  showClock();
  const first = rows().find((row) => !isLabelled(row)) || rows()[0];
  focusRow(first);
})();
