// Built by `manage.py client_bundle` from autosave.js, read-aloud.js; edit those.
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
status.textContent = form.getAttribute("data-autosave-error") || "";
showFallback(true);
}
function save() {
var body = new FormData(form);
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
queue = queue.then(save);
});
})();
(function () {
"use strict";
var button = document.querySelector("[data-read-aloud]");
if (!button || !("speechSynthesis" in window)) {
return;
}
var language = (document.documentElement.lang || "nl").toLowerCase();
function localVoice() {
return window.speechSynthesis.getVoices().filter(function (voice) {
return voice.localService && voice.lang.toLowerCase().indexOf(language) === 0;
})[0];
}
function offer() {
button.hidden = !localVoice();
}
offer();
window.speechSynthesis.addEventListener("voiceschanged", offer);
button.addEventListener("click", function () {
var voice = localVoice();
var statement = document.querySelector(button.getAttribute("data-read-aloud"));
if (!voice || !statement) {
return;
}
var parts = [statement.querySelector("legend").textContent];
statement.querySelectorAll(".am-choice span").forEach(function (label) {
parts.push(label.textContent);
});
var utterance = new SpeechSynthesisUtterance(parts.join(". ").replace(/\s+/g, " "));
utterance.voice = voice;
utterance.lang = voice.lang;
window.speechSynthesis.cancel();
window.speechSynthesis.speak(utterance);
});
})();
