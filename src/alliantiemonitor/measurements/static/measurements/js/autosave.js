// Autosave (progressive enhancement): a form with data-autosave posts itself after every
// change and shows the server's answer in its status element, so a "Save" button beside it
// would only make people wonder whether their answers are kept. Without JavaScript the button
// stays, and the form is a plain form post.
//
// It speaks the few words of the htmx protocol the server already knows (django-htmx): the
// request says "HX-Request"; the answer is a fragment for the status, with elements marked
// data-swap-oob replacing the page's element of the same id; "HX-Refresh" or any redirect
// (the round was sent or closed meanwhile) reloads the page, so the reader sees why. The
// client pages need no more than this, and htmx itself weighs 17 KB compressed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById(form.getAttribute("data-autosave"));
  var fallbacks = document.querySelectorAll("[data-autosave-fallback]");
  var queue = Promise.resolve();

  function showFallback(shown) {
    fallbacks.forEach(function (button) {
      button.hidden = !shown;
    });
  }

  function show(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("[data-swap-oob]").forEach(function (fresh) {
      var old = document.getElementById(fresh.id);
      fresh.removeAttribute("data-swap-oob");
      if (old) {
        old.replaceWith(fresh);
      } else {
        fresh.remove();
      }
    });
    status.replaceChildren(template.content);
    showFallback(false);
  }

  function failed() {
    // Say so, and give the "Save" button back: the form post still works.
    status.textContent = form.getAttribute("data-autosave-error") || "";
    showFallback(true);
  }

  function save() {
    var body = new FormData(form);
    // The attribute, not form.action: the buttons named "action" shadow that property.
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.headers.get("HX-Refresh") === "true") {
          window.location.reload();
          return;
        }
        if (response.headers.get("HX-Redirect")) {
          window.location.assign(response.headers.get("HX-Redirect"));
          return;
        }
        if (!response.ok) {
          failed();
          return;
        }
        return response.text().then(show);
      })
      .catch(failed);
  }

  showFallback(false);
  form.addEventListener("change", function () {
    // One save at a time, in the order of the changes: the last answer given is the one kept.
    queue = queue.then(save);
  });
})();
