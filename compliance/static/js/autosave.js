/* Autosave of a section page: what htmx does not do by itself.
 *
 * htmx posts the form a moment after each change (hx-trigger on #section-form). This
 * script keeps the page honest about it:
 * - the form's data-autosave attribute says where the page stands: "saved" (nothing
 *   waits), "pending" (a change waits for its save), "saving" (a save is on its way),
 *   "failed" (the last save was refused or did not arrive; the text stays on the page);
 * - a refused or lost save says so in the status line, in the page's language (the
 *   texts come from data-msg-* attributes the template translated), never "Saved";
 * - an autosave posts only the cards that changed since their last acknowledged save
 *   (and says so with partial=1): the server reads and writes only those. A change not
 *   yet acknowledged is posted again with the next save, whatever happened to the last;
 * - a click on a link while changes wait saves them first, then follows the link; the
 *   form's own buttons post every answer anyway; where a save cannot happen, the
 *   browser asks before the page is left.
 * No inline script or eval: it runs under the Content-Security-Policy.
 */
(function () {
  "use strict";

  function init() {
    var form = document.getElementById("section-form");
    if (!form || !form.hasAttribute("hx-post")) {
      return;
    }
    var status = document.getElementById("save-status");
    var changes = 0; // changes made on the page so far
    var sent = 0; // the value of `changes` when the last save was sent
    var leaving = null; // the link to follow once the changes are saved
    var submitting = false;
    var refused = false; // the save under way was refused or lost
    var pendingSettle = false; // a save is under way whose swap has not settled yet
    var answered = false; // its answer arrived (and was a real autosave answer)
    var swapSettled = false; // its swap settled
    var dirty = {}; // question code -> the value of `changes` at the card's last change
    var wholeForm = false; // a change outside any card: the next save posts everything

    function set(state) {
      form.dataset.autosave = state;
    }

    function say(key) {
      var text = form.dataset["msg" + key] || form.dataset.msgFailed;
      status.replaceChildren();
      var span = document.createElement("span");
      span.className = "text-danger fw-semibold";
      span.textContent = text;
      status.appendChild(span);
    }

    function changed(event) {
      changes += 1;
      var card = event.target.closest && event.target.closest(".question-card");
      if (card) {
        dirty[card.id.slice(2)] = changes; // the card's id is "q-<code>"
      } else {
        wholeForm = true;
      }
      set("pending");
    }

    // Only the changed cards' fields (and the CSRF token) leave the page.
    form.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt !== form || wholeForm) return;
      var data = event.detail.formData;
      var keep = { csrfmiddlewaretoken: true };
      Object.keys(dirty).forEach(function (code) {
        var card = document.getElementById("q-" + code);
        if (!card) return;
        card.querySelectorAll("[name]").forEach(function (field) {
          keep[field.name] = true;
        });
      });
      Array.from(data.keys()).forEach(function (name) {
        if (!keep[name]) data.delete(name);
      });
      data.set("partial", "1");
    });

    // What a save acknowledged is no longer to send; later changes still are.
    function acknowledged() {
      Object.keys(dirty).forEach(function (code) {
        if (dirty[code] <= sent) delete dirty[code];
      });
      wholeForm = false;
    }

    function flush() {
      htmx.trigger(form, "autosave-flush");
    }

    function fail(key) {
      refused = true;
      pendingSettle = false;
      set("failed");
      leaving = null;
      say(key);
    }

    set("saved");
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    form.addEventListener("htmx:beforeRequest", function (event) {
      if (event.detail.elt !== form) return;
      sent = changes;
      refused = false;
      pendingSettle = true;
      answered = swapSettled = false;
      set("saving");
    });

    // A 200 that is not an autosave answer (the login page, after the session ended)
    // must not be swapped into the status line. Error statuses htmx does not swap.
    form.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.elt !== form) return;
      var xhr = event.detail.xhr;
      if (xhr.status === 200 && !xhr.getResponseHeader("X-Autosave")) {
        event.detail.shouldSwap = false;
        fail("Session");
      }
    });

    function refusal(status) {
      if (status === 400 || status === 409) return "Locked";
      if (status === 403) return "Session"; // the CSRF token of an ended session
      if (!status) return "Offline";
      return "Failed";
    }

    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form || refused) return;
      if (!event.detail.successful) {
        fail(refusal(event.detail.xhr ? event.detail.xhr.status : 0));
        return;
      }
      var outcome = event.detail.xhr.getResponseHeader("X-Autosave");
      if (outcome === "invalid") {
        // The status line (swapped in) names the problem; the text stays on the page.
        refused = true;
        pendingSettle = false;
        set("failed");
        leaving = null;
        return;
      }
      acknowledged();
      answered = true;
      if (swapSettled) done();
    });

    // htmx gives swapped elements their new attributes (the show-if markers' classes)
    // only once the swap has settled: the page is at rest after that, not before.
    form.addEventListener("htmx:afterSettle", function () {
      if (!pendingSettle) return;
      swapSettled = true;
      if (answered) done();
    });

    function done() {
      pendingSettle = answered = swapSettled = false;
      if (changes === sent) {
        set("saved");
        if (leaving) {
          var target = leaving;
          leaving = null;
          window.location.assign(target);
        }
      } else {
        set("pending");
        if (leaving) flush();
      }
    }

    form.addEventListener("htmx:sendError", function (event) {
      if (event.detail.elt === form) fail("Offline");
    });
    form.addEventListener("htmx:timeout", function (event) {
      if (event.detail.elt === form) fail("Offline");
    });

    // The form's buttons post every answer of the page: nothing is lost by leaving.
    form.addEventListener("submit", function () {
      submitting = true;
    });

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || event.defaultPrevented || event.button !== 0) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      if (link.target && link.target !== "_self") return;
      var href = link.getAttribute("href");
      if (!href || href.charAt(0) === "#") return;
      var state = form.dataset.autosave;
      if (state === "saved" || state === "failed") return; // failed: the browser asks
      event.preventDefault();
      leaving = link.href;
      flush();
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || leaving || form.dataset.autosave === "saved") return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
