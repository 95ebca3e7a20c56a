// Upload page: refuse too-large uploads before sending them, and show upload progress from
// htmx's XHR progress events. The form works without this file (a plain multipart POST).
(function () {
  "use strict";

  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("id_files");
  const box = document.getElementById("upload-progress-box");
  const bar = document.getElementById("upload-progress");
  const text = document.getElementById("upload-progress-text");
  const submit = document.getElementById("upload-submit");
  const maxBytes = Number(form.dataset.maxBytes);
  const maxFiles = Number(form.dataset.maxFiles);

  const megabytes = (bytes) => (bytes / 1024 / 1024).toFixed(1) + " MB";
  // htmx reports the upload's progress and then the response's; only the first is ours.
  let uploaded = false;

  function showError(message) {
    const result = document.getElementById("upload-result");
    result.replaceChildren();
    const line = document.createElement("p");
    line.className = "error";
    line.id = "upload-error";
    line.setAttribute("role", "alert");
    line.textContent = message; // text, never markup: file names come from the user
    result.append(line);
  }

  function reset() {
    box.hidden = true;
    submit.disabled = false;
  }

  form.addEventListener("htmx:confirm", (event) => {
    const files = Array.from(input.files || []);
    const total = files.reduce((sum, file) => sum + file.size, 0);
    if (files.length > maxFiles) {
      event.preventDefault();
      showError("Too many files in one upload (at most " + maxFiles + "); put them in a zip archive.");
    } else if (total > maxBytes) {
      event.preventDefault();
      showError(
        "The upload is " + megabytes(total) + "; at most " + form.dataset.maxMb +
          " MB can be uploaded at once. Upload fewer files at a time, or import large sets with `manage.py import_articles`."
      );
    }
  });

  form.addEventListener("htmx:beforeRequest", () => {
    uploaded = false;
    box.hidden = false;
    bar.removeAttribute("value"); // indeterminate until the first progress event
    text.textContent = "Uploading…";
    submit.disabled = true;
  });

  form.addEventListener("htmx:xhr:progress", (event) => {
    const { loaded, total } = event.detail;
    if (!total || uploaded) return;
    uploaded = loaded >= total;
    bar.max = total;
    bar.value = loaded;
    text.textContent =
      loaded < total
        ? megabytes(loaded) + " of " + megabytes(total) + " sent"
        : "Uploaded " + megabytes(total) + "; importing…";
  });

  // The server answers refusals (too large, no files) with 4xx and the message to show.
  form.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 413) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  form.addEventListener("htmx:afterRequest", () => {
    reset();
    input.value = "";
  });
  form.addEventListener("htmx:sendError", () => {
    showError("The upload did not reach the server. Check your connection and try again.");
  });
})();
