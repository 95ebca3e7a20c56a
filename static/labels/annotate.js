// Keyboard-first labelling. The page works without this file (plain forms post and redirect
// back); this adds the keys, focus and selection, the dialogs, active-time tracking and a
// write queue that never loses a keypress.
//
// Writes. Every form marked data-write (label buttons, undo, flag, accept) and every key goes
// through one FIFO queue: requests reach the server one at a time, in the order they were
// made, so an undo right after a label undoes that label. A network failure (or a 502/503/504
// while the server restarts) keeps the write at the head of the queue and retries it with
// backoff; the status area shows how many changes wait. A refused write (409 closed, 403
// session or CSRF, 400) is dropped with its error next to the paragraph and in the status
// area, focus goes back to that paragraph, and the row shows its last saved state again.
// Responses are server-rendered rows and the progress box, swapped in by id.
//
// Extending it from another static script (no edits here needed):
//  - Listen for the cancelable "annotate:key" event on document. Its detail is
//    {key, shift, ctrl, row, event}: `key` is normalised (digits from the physical key, so
//    Shift+1 is key "1" with shift true; letters lower-case). Call preventDefault() to take
//    the key; the built-in bindings then leave it alone.
//  - Or, once "annotate:ready" has fired on document, call
//    window.annotate.bindKey({key: "a", shift: false, needsOpen: true}, (row) => ...).
//    window.annotate also offers currentRow(), focusRow(row), nextUnlabelled(row),
//    post(url, values) (queued behind every other write) and pendingWrites().
(function () {
  "use strict";

  const root = document.getElementById("annotate");
  const list = document.getElementById("paragraphs");
  if (!root || !list) return;
  root.classList.add("js");
  const isOpen = root.dataset.open === "1";
  const followSuggestions = root.dataset.suggestions === "1";
  const announceBox = document.getElementById("announce");
  const saveStatus = document.getElementById("save-status");
  const header = document.getElementById("article-head");
  const csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastAction = Date.now();

  // ---------------------------------------------------------------- rows and focus
  let currentId = null;
  const rows = list.children; // live: rows swapped in by id stay in place
  const indexOf = (row) => Array.prototype.indexOf.call(rows, row);
  const focusedRow = () => document.activeElement && document.activeElement.closest("#paragraphs > li.paragraph");
  const currentRow = () => focusedRow() || (currentId && document.getElementById(currentId)) || null;
  const isLabelled = (row) => row.dataset.labelled === "1";

  function reveal(row) {
    const rect = row.getBoundingClientRect();
    const top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    if (rect.top < top + 4) window.scrollBy(0, rect.top - top - 8);
    else if (rect.bottom > window.innerHeight - 4) {
      // A row taller than the space below the header shows its start.
      const overshoot = Math.min(rect.bottom - window.innerHeight + 8, rect.top - top - 8);
      window.scrollBy(0, overshoot);
    }
  }

  function focusRow(row) {
    if (!row) return;
    currentId = row.id;
    row.focus({ preventScroll: true });
    reveal(row);
  }

  list.addEventListener("focusin", (event) => {
    const row = event.target.closest("li.paragraph");
    if (row) currentId = row.id;
  });

  function findFrom(start, step, test) {
    for (let i = start; i >= 0 && i < rows.length; i += step) if (test(rows[i])) return rows[i];
    return null;
  }

  function nextUnlabelled(after) {
    const start = after ? indexOf(after) : -1;
    return findFrom(start + 1, 1, (row) => !isLabelled(row)) || findFrom(0, 1, (row) => row !== after && !isLabelled(row));
  }

  function previousUnlabelled(before) {
    const start = before ? indexOf(before) : rows.length;
    return findFrom(start - 1, -1, (row) => !isLabelled(row)) || findFrom(rows.length - 1, -1, (row) => row !== before && !isLabelled(row));
  }

  function move(step) {
    const current = currentRow();
    const index = current ? indexOf(current) : -1;
    focusRow(rows[Math.min(rows.length - 1, Math.max(0, index + step))]);
  }

  function moveScreen(direction) {
    const current = currentRow() || rows[0];
    if (!current) return;
    const top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    const screen = Math.max(100, window.innerHeight - top - 40);
    const from = current.getBoundingClientRect().top;
    let index = indexOf(current);
    while (index + direction >= 0 && index + direction < rows.length) {
      index += direction;
      if (Math.abs(rows[index].getBoundingClientRect().top - from) >= screen) break;
    }
    focusRow(rows[index]);
  }

  function announce(text) {
    if (announceBox) announceBox.textContent = text;
  }

  // ---------------------------------------------------------------- selection
  // A contiguous range from the anchor to the focused row; Shift+j/k or Shift+click set it.
  let anchorId = null;
  let marked = [];

  function selectedRows() {
    const anchor = anchorId && document.getElementById(anchorId);
    const current = currentRow();
    if (!anchor || !current) return [];
    const a = indexOf(anchor);
    const b = indexOf(current);
    return Array.prototype.slice.call(rows, Math.min(a, b), Math.max(a, b) + 1);
  }

  function paintSelection() {
    marked.forEach((row) => row.classList.remove("selected"));
    marked = selectedRows();
    marked.forEach((row) => row.classList.add("selected"));
    if (marked.length > 1) announce(marked.length + " paragraphs selected: a label key labels them all, Esc clears.");
  }

  function clearSelection() {
    if (!anchorId) return false;
    anchorId = null;
    paintSelection();
    announce("Selection cleared.");
    return true;
  }

  function extendSelection(step) {
    const current = currentRow();
    if (!current) return;
    if (!anchorId) anchorId = current.id;
    move(step);
    paintSelection();
  }

  list.addEventListener("mousedown", (event) => {
    // Shift+click extends the selection; keep the browser from selecting text instead.
    if (event.shiftKey && event.target.closest("li.paragraph")) event.preventDefault();
  });
  list.addEventListener("click", (event) => {
    const row = event.target.closest("li.paragraph");
    if (!row || event.target.closest("button, a, input, textarea")) return;
    if (event.shiftKey) {
      const current = currentRow();
      if (!anchorId) anchorId = (current || row).id;
      focusRow(row);
      paintSelection();
    } else {
      if (anchorId) clearSelection();
      focusRow(row);
    }
  });

  // ---------------------------------------------------------------- the write queue
  const queue = [];
  let sending = false;
  let failures = 0;
  let retryTimer = null;
  let stalled = false;

  function token() {
    return csrfInput ? csrfInput.value : "";
  }

  function rowState(row) {
    return { labelled: row.dataset.labelled, word: row.querySelector(".label-word").textContent, saving: row.classList.contains("saving") };
  }

  function markPending(row, label) {
    const before = rowState(row);
    row.dataset.labelled = "1";
    row.classList.add("saving");
    if (label) row.querySelector(".label-word").textContent = label;
    return before;
  }

  // op: {url, values: [[name, value]...], rows: {id: stateBefore}, row: id to report errors on,
  //      kind, onDone}
  function enqueue(op) {
    op.rows = op.rows || {};
    queue.push(op);
    showQueue();
    pump();
    return op;
  }

  function post(url, values, extra) {
    const pairs = Object.keys(values || {}).map((name) => [name, values[name]]);
    return enqueue(Object.assign({ url: url, values: pairs }, extra || {}));
  }

  function pendingWrites(kind) {
    return queue.filter((op) => !kind || op.kind === kind).length;
  }

  function showQueue() {
    if (!saveStatus) return;
    if (stalled && queue.length) {
      const seconds = Math.round(retryDelay() / 1000);
      saveStatus.className = "save-status offline";
      saveStatus.textContent = "Not saved yet: " + queue.length + " change" + (queue.length === 1 ? "" : "s") +
        " waiting for the server (connection lost). Retrying in " + seconds + " s; keep working, nothing is lost.";
      saveStatus.hidden = false;
    } else if (saveStatus.classList.contains("offline") || (saveStatus.classList.contains("ok") && !queue.length)) {
      saveStatus.className = "save-status ok";
      saveStatus.textContent = queue.length ? "Reconnected; saving " + queue.length + " change(s)…" : "Reconnected: every change is saved.";
      if (!queue.length) {
        clearTimeout(showQueue.hide);
        showQueue.hide = setTimeout(() => {
          if (saveStatus.classList.contains("ok")) saveStatus.hidden = true;
        }, 5000);
      }
    }
    root.dataset.pending = String(queue.length);
  }

  function retryDelay() {
    return Math.min(15000, 500 * Math.pow(2, Math.max(0, failures - 1)));
  }

  function scheduleRetry() {
    stalled = true;
    showQueue();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => { retryTimer = null; pump(); }, retryDelay());
  }

  window.addEventListener("online", () => {
    if (!queue.length || sending) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    pump();
  });

  function pump() {
    if (sending || retryTimer || !queue.length) return;
    sending = true;
    const op = queue[0];
    const body = new URLSearchParams();
    op.values.forEach((pair) => body.append(pair[0], pair[1]));
    const delta = takeActiveSeconds();
    body.append("active_delta", String(delta));
    fetch(op.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": token(), "HX-Request": "true", "HX-Current-URL": location.href },
    }).then((response) => {
      if (response.type === "opaqueredirect" || response.status === 0) return { status: 401 };
      return response.text().then((text) => ({ status: response.status, text: text, trigger: response.headers.get("HX-Trigger") }));
    }).then((result) => {
      sending = false;
      if (result.status >= 200 && result.status < 300) {
        activeSaved(delta);
        failures = 0;
        queue.shift();
        swapIn(result.text);
        if (stalled) { stalled = false; showQueue(); }
        fire(result.trigger);
        if (op.onDone) op.onDone(true);
        showQueue();
        pump();
      } else if (result.status >= 502 && result.status <= 504) {
        activeUnsaved(delta);
        failures += 1;
        scheduleRetry();
      } else {
        activeUnsaved(delta);
        refused(op, result);
      }
    }).catch(() => {
      sending = false;
      activeUnsaved(delta);
      failures += 1;
      scheduleRetry();
    });
  }

  function refused(op, result) {
    let message;
    let dropAll = false;
    const links = [];
    if (result.status === 401 || result.status === 403) {
      message = "Not saved: your session has expired or you logged in again elsewhere.";
      links.push(["Log in again", root.dataset.loginUrl]);
      dropAll = true;
    } else if (result.status === 409) {
      message = plain(result.text) || "Not saved: this article is no longer open to you.";
      links.push(["Back to the project", root.dataset.projectUrl]);
      dropAll = true;
    } else if (result.status === 404) {
      message = "Not saved: this paragraph is no longer yours to label (were you removed from the project?).";
      dropAll = true;
    } else if (result.status >= 500) {
      message = "Not saved: the server failed (" + result.status + "). Press the key again.";
    } else {
      message = "Not saved: " + (plain(result.text) || "the request was refused (" + result.status + ")") + ".";
    }
    const dropped = dropAll ? queue.splice(0, queue.length) : [queue.shift()];
    dropped.forEach((each) => {
      restoreRows(each);
      if (each.onDone) each.onDone(false);
    });
    showError(message, links, op.row && document.getElementById(op.row));
    stalled = false;
    showQueue();
    pump();
  }

  function plain(text) {
    // Our refusals are text/plain; an HTML error page is never shown to the annotator.
    if (!text || /^\s*</.test(text)) return "";
    return text.trim().replace(/\.$/, "").slice(0, 300);
  }

  function restoreRows(op) {
    Object.keys(op.rows).forEach((id) => {
      const row = document.getElementById(id);
      const before = op.rows[id];
      if (!row || !before) return;
      row.dataset.labelled = before.labelled;
      row.querySelector(".label-word").textContent = before.word;
      row.classList.toggle("saving", queue.some((other) => other.rows[id]));
    });
  }

  function showError(message, links, row) {
    if (saveStatus) {
      saveStatus.className = "save-status error";
      saveStatus.textContent = message + " ";
      links.forEach((pair) => {
        const link = document.createElement("a");
        link.href = pair[1];
        link.textContent = pair[0];
        saveStatus.append(link, " ");
      });
      saveStatus.hidden = false;
    }
    if (row) {
      const old = row.querySelector(".row-error");
      if (old) old.remove();
      const note = document.createElement("p");
      note.className = "row-error";
      note.textContent = message;
      row.querySelector(".cell").append(note);
      focusRow(row);
    }
  }

  function swapIn(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html;
    const focusedId = focusedRow() ? focusedRow().id : null;
    Array.from(holder.content.children).forEach((fresh) => {
      if (!fresh.id) return;
      const old = document.getElementById(fresh.id);
      if (!old) return;
      fresh.removeAttribute("hx-swap-oob");
      if (fresh.matches("li.paragraph")) {
        if (old.classList.contains("selected")) fresh.classList.add("selected");
        const waiting = queue.filter((op) => op.rows[fresh.id]);
        if (waiting.length) {
          // A later write on this row is still queued: keep showing it as pending.
          fresh.classList.add("saving");
          fresh.dataset.labelled = "1";
          fresh.querySelector(".label-word").textContent = old.querySelector(".label-word").textContent;
        }
        morph(old, fresh);
        return;
      }
      old.replaceWith(fresh);
    });
    if (focusedId && !dialogs().length && (!document.activeElement || document.activeElement === document.body)) {
      const row = document.getElementById(focusedId);
      if (row) row.focus({ preventScroll: true });
    }
  }

  // A row keeps its element (and so its focus and its place in the layout): replacing the
  // <li> made the browser lay out the whole list again, 10 to 20 ms at 1,000 paragraphs.
  function morph(old, fresh) {
    Array.from(old.attributes).forEach((attr) => {
      if (!fresh.hasAttribute(attr.name)) old.removeAttribute(attr.name);
    });
    Array.from(fresh.attributes).forEach((attr) => {
      if (old.getAttribute(attr.name) !== attr.value) old.setAttribute(attr.name, attr.value);
    });
    old.replaceChildren(...fresh.childNodes);
  }

  function fire(trigger) {
    if (!trigger) return;
    let events;
    try {
      events = JSON.parse(trigger);
    } catch (error) {
      events = {};
      trigger.split(",").forEach((name) => { events[name.trim()] = {}; });
    }
    Object.keys(events).forEach((name) => {
      document.body.dispatchEvent(new CustomEvent(name, { detail: events[name], bubbles: true }));
    });
  }

  window.addEventListener("beforeunload", (event) => {
    if (queue.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ---------------------------------------------------------------- labelling
  const labelNames = {};
  const firstRow = rows[0];
  if (firstRow) {
    firstRow.querySelectorAll("button[data-key]").forEach((button) => {
      labelNames[button.value] = button.textContent.replace(button.dataset.key, "").trim();
    });
  }

  function labelButton(row, key) {
    const button = row && row.querySelector('button[data-key="' + CSS.escape(key) + '"]');
    return button && !button.disabled ? button : null;
  }

  function applyLabel(row, button) {
    const before = markPending(row, labelNames[button.value]);
    const target = nextUnlabelled(row);
    post(button.form.getAttribute("action"), { label: button.value }, { rows: { [row.id]: before }, row: row.id });
    focusRow(target || row);
  }

  function runRows(row, value) {
    const start = indexOf(row);
    const run = [row];
    for (let i = start + 1; i < rows.length; i += 1) {
      const next = rows[i];
      if (isLabelled(next)) break;
      if (followSuggestions && (next.dataset.suggested || "") !== value) break;
      run.push(next);
    }
    return run;
  }

  function applyRun(row, button) {
    const run = runRows(row, button.value);
    const before = {};
    run.forEach((each) => { before[each.id] = markPending(each, labelNames[button.value]); });
    post(root.dataset.runUrl, { paragraph: row.dataset.paragraph, label: button.value }, { rows: before, row: row.id });
    const last = run[run.length - 1];
    focusRow(nextUnlabelled(last) || last);
  }

  function applySelection(selection, button) {
    const before = {};
    const values = [["label", button.value]];
    selection.forEach((each) => {
      before[each.id] = markPending(each, labelNames[button.value]);
      values.push(["paragraph", each.dataset.paragraph]);
    });
    const last = selection[selection.length - 1];
    anchorId = null;
    paintSelection();
    enqueue({ url: root.dataset.selectionUrl, values: values, rows: before, row: currentRow() && currentRow().id });
    focusRow(nextUnlabelled(last) || currentRow());
  }

  function labelKey(row, key, shift) {
    const button = labelButton(row, key);
    if (!button) return;
    const selection = selectedRows();
    if (selection.length > 1) applySelection(selection, button);
    else if (shift) applyRun(row, button);
    else applyLabel(row, button);
  }

  // A tap that began on one row and lands on another row's button (the page moved under the
  // finger: a row's buttons appeared or a saved row changed height) labels nothing.
  let pressedRow = null;
  let pressedAt = 0;
  list.addEventListener("pointerdown", (event) => {
    pressedRow = event.target.closest("li.paragraph");
    pressedAt = Date.now();
  });

  // Clicks and taps on write forms take the same queue as keys.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.hasAttribute("data-write")) return;
    event.preventDefault();
    if (!isOpen) return;
    const submitter = event.submitter;
    const row = form.closest("li.paragraph");
    if (row && Date.now() - pressedAt < 1000 && pressedRow !== row) return;
    if (row && submitter && submitter.name === "label") {
      anchorId = null;
      paintSelection();
      applyLabel(row, submitter);
      return;
    }
    const values = [];
    new FormData(form).forEach((value, name) => {
      if (name !== "csrfmiddlewaretoken") values.push([name, value]);
    });
    if (submitter && submitter.name) values.push([submitter.name, submitter.value]);
    const op = { url: form.getAttribute("action"), values: values, kind: form.id || "write" };
    if (row) {
      const accepted = submitter && submitter.dataset.acceptSuggestion;
      op.rows = { [row.id]: markPending(row, accepted ? labelNames[accepted] : "") };
      op.row = row.id;
      const target = nextUnlabelled(row);
      if (target) focusRow(target);
    }
    if (form.id === "flag-form") {
      const dialog = document.getElementById("flag-dialog");
      op.row = currentId;
      op.onDone = () => { if (dialog.open) dialog.close(); };
    }
    if (form.id === "accept-all-form" && pendingWrites("accept-all-form")) return; // key repeat
    enqueue(op);
  });

  function clickIfEnabled(id) {
    const button = document.getElementById(id);
    if (button && !button.disabled) button.click();
  }

  // ---------------------------------------------------------------- submitting
  function whenSaved(then) {
    if (!queue.length) return then();
    announce("Saving " + queue.length + " change(s) before submitting…");
    const check = setInterval(() => {
      if (queue.length) return;
      clearInterval(check);
      then();
    }, 50);
  }

  function submitArticle(stop) {
    const missing = Array.prototype.filter.call(rows, (row) => !isLabelled(row));
    if (missing.length) {
      announce(missing.length + " paragraph" + (missing.length === 1 ? " is" : "s are") + " still unlabelled; jumped to the first.");
      focusRow(missing[0]);
      return;
    }
    whenSaved(() => {
      const button = document.getElementById(stop ? "submit-stop" : "submit-article");
      if (!button || button.disabled) {
        const first = nextUnlabelled(null);
        announce("Not every paragraph is saved with a label yet.");
        if (first) focusRow(first);
        return;
      }
      button.form.requestSubmit(button);
    });
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
  document.getElementById("flag-button").addEventListener("click", () => openFlag(currentRow() || rows[0]));
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

  // Shift, or a capital letter typed some other way (G and N are keys of their own).
  const shifted = (event) => event.shiftKey || (event.key.length === 1 && event.key !== event.key.toLowerCase());

  function matches(binding, key, event) {
    const ctrl = event.ctrlKey || event.metaKey;
    if (binding.ctrl !== ctrl) return false;
    if (binding.shift !== undefined && binding.shift !== shifted(event)) return false;
    if (binding.match) return binding.match(key);
    return [].concat(binding.key).includes(key);
  }

  const labelKeys = new Set(Object.keys(labelNames).length && firstRow
    ? Array.from(firstRow.querySelectorAll("button[data-key]"), (b) => b.dataset.key.toLowerCase())
    : []);

  function plainMove(step) {
    if (anchorId) clearSelection();
    move(step);
  }

  // Label keys first: they are the project's own configuration.
  bindKey({ match: (key) => labelKeys.has(key), needsRow: true, needsOpen: true }, (row, key, event) => labelKey(row, key, shifted(event)));
  bindKey({ key: ["j", "ArrowDown"], shift: false }, () => plainMove(1));
  bindKey({ key: ["k", "ArrowUp"], shift: false }, () => plainMove(-1));
  bindKey({ key: ["j", "ArrowDown"], shift: true }, () => extendSelection(1));
  bindKey({ key: ["k", "ArrowUp"], shift: true }, () => extendSelection(-1));
  bindKey({ key: "n", shift: false }, (row) => focusRow(nextUnlabelled(row)) || announceIfDone());
  bindKey({ key: "n", shift: true }, (row) => focusRow(previousUnlabelled(row)) || announceIfDone());
  bindKey({ key: ["g", "Home"], shift: false }, () => { if (anchorId) clearSelection(); focusRow(rows[0]); });
  bindKey({ key: "g", shift: true }, () => { if (anchorId) clearSelection(); focusRow(rows[rows.length - 1]); });
  bindKey({ key: "End" }, () => { if (anchorId) clearSelection(); focusRow(rows[rows.length - 1]); });
  bindKey({ key: "PageDown" }, () => moveScreen(1));
  bindKey({ key: "PageUp" }, () => moveScreen(-1));
  bindKey({ key: "Escape" }, () => clearSelection());
  bindKey({ key: "u", shift: false, needsOpen: true }, () => clickIfEnabled("undo-button"));
  bindKey({ key: "z", ctrl: true, shift: false, needsOpen: true }, () => clickIfEnabled("undo-button"));
  bindKey({ key: "f", shift: false, needsRow: true, needsOpen: true }, (row) => openFlag(row));
  bindKey({ key: "s", shift: false, needsOpen: true }, () => openDialog("skip-dialog", "skip-reason"));
  bindKey({ key: "?" }, toggleHelp);
  bindKey({ key: "Enter", needsOpen: true }, (row, key, event) => submitArticle(shifted(event)));

  function announceIfDone() {
    if (!nextUnlabelled(null)) announce("Every paragraph has a label.");
  }

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
    const detail = { key: key, shift: shifted(event), ctrl: event.ctrlKey || event.metaKey, row: row, event: event };
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

  function takeActiveSeconds() {
    if (!isOpen) return 0;
    const delta = pending;
    inflight += delta;
    pending = 0;
    savePending();
    return delta;
  }

  function activeSaved(delta) {
    inflight -= delta;
    serverSeconds += delta;
    showClock();
  }

  function activeUnsaved(delta) {
    inflight -= delta;
    pending += delta;
    savePending();
    showClock();
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

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented) return;
    if (form.id === "submit-form") document.getElementById("active-seconds").value = String(pending);
    else if (form.id === "skip-form") document.getElementById("skip-active-delta").value = String(pending);
    else return;
    pending = 0;
    sessionStorage.removeItem(timeKey);
  });

  function sendBeacon() {
    if (!isOpen || pending < 1 || !navigator.sendBeacon) return;
    const data = new FormData();
    data.append("active_delta", String(pending));
    data.append("csrfmiddlewaretoken", token());
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
    pendingWrites: pendingWrites,
  };
  document.dispatchEvent(new CustomEvent("annotate:ready"));
  showClock();
  const target = location.hash && document.getElementById(location.hash.slice(1));
  focusRow(target && target.matches("li.paragraph") ? target : nextUnlabelled(null) || rows[0]);
  root.dataset.keys = "ready"; // browser tests wait for this before pressing keys
})();
