/* Evidence uploads: what the plain form does not do by itself.
 *
 * Without this script #evidence-upload is a multipart form post and works the same. With
 * it:
 * - files dropped anywhere on the form join those chosen with the file input (which
 *   stays the keyboard's way in), and their names are listed;
 * - the post goes through XMLHttpRequest so that a <progress> shows how much is sent;
 *   the server answers it 204 with X-Location (where to go, its message waiting there),
 *   or the page again with the refusal, whose form replaces this one;
 * - a lost connection says so, and keeps the chosen files for another try.
 * No inline script or eval: it runs under the Content-Security-Policy.
 */
(function () {
  "use strict";

  function names(files) {
    return Array.prototype.map.call(files, function (file) { return file.name; }).join(", ");
  }

  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("#drop-zone");
    var listed = form.querySelector("#drop-names");
    var progress = form.querySelector("#upload-progress");
    var status = form.querySelector("#upload-status");
    var button = form.querySelector('button[type="submit"]');
    if (!input || !zone || !window.FormData || !window.DataTransfer) {
      return;
    }
    zone.hidden = false;
    input.addEventListener("change", function () { listed.textContent = names(input.files); });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragover");
      });
    });
    form.addEventListener("dragleave", function () { zone.classList.remove("is-dragover"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-dragover");
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { merged.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { merged.items.add(file); });
      input.files = merged.files;
      listed.textContent = names(input.files);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action") || window.location.href);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", function (progressEvent) {
        if (progressEvent.lengthComputable) {
          progress.hidden = false;
          progress.value = Math.round((100 * progressEvent.loaded) / progressEvent.total);
        }
      });
      request.addEventListener("load", function () {
        var next = request.getResponseHeader("X-Location");
        if (request.status === 204 && next) {
          window.location.assign(next);
          return;
        }
        var answer = new DOMParser().parseFromString(request.responseText, "text/html");
        var fresh = answer.getElementById("evidence-upload");
        if (fresh) {
          form.replaceWith(fresh);
          enhance(fresh);
          var error = fresh.querySelector(".invalid-feedback, .is-invalid");
          if (error) {
            error.scrollIntoView({ block: "center" });
          }
        } else if (
          request.status < 400 &&
          request.responseURL &&
          new URL(request.responseURL).pathname !== window.location.pathname
        ) {
          window.location.assign(request.responseURL); // signed out meanwhile: the login page
        } else {
          failed(); // an error page (a refused request, a server error): nothing was stored
        }
      });
      request.addEventListener("error", failed);
      request.addEventListener("abort", failed);
      request.addEventListener("timeout", failed);
      function failed() {
        progress.hidden = true;
        button.disabled = false;
        status.textContent = form.dataset.msgFailed;
      }
      button.disabled = true;
      status.textContent = form.dataset.msgUploading;
      request.send(new FormData(form));
    });
  }

  var form = document.getElementById("evidence-upload");
  if (form) {
    enhance(form);
  }
})();
