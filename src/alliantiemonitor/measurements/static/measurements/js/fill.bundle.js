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
var buttons = document.querySelectorAll("[data-read-aloud]");
if (!buttons.length) {
return;
}
var language = (document.documentElement.lang || "nl").toLowerCase().split("-")[0];
var synth =
"speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function"
? window.speechSynthesis
: null;
var reading = null;
function localVoice() {
if (!synth) {
return null;
}
return (
synth.getVoices().filter(function (voice) {
return voice.localService && voice.lang.toLowerCase().split(/[-_]/)[0] === language;
})[0] || null
);
}
function offer() {
var voice = localVoice();
buttons.forEach(function (button) {
button.hidden = !voice && !button.getAttribute("data-read-aloud-audio");
});
}
function finished(entry) {
if (reading === entry) {
reading = null;
entry.button.setAttribute("aria-pressed", "false");
}
}
function stop() {
if (!reading) {
return;
}
var current = reading;
reading = null;
if (current.audio) {
current.audio.pause();
} else if (synth) {
synth.cancel();
}
current.button.setAttribute("aria-pressed", "false");
}
function speakLocally(entry, voice) {
var statement = document.querySelector(entry.button.getAttribute("data-read-aloud"));
if (!statement) {
finished(entry);
return;
}
var parts = [statement.querySelector("legend").textContent];
statement.querySelectorAll(".am-scale .am-choice span").forEach(function (label) {
parts.push(label.textContent);
});
var utterance = new window.SpeechSynthesisUtterance(parts.join(". ").replace(/\s+/g, " "));
utterance.voice = voice;
utterance.lang = voice.lang;
utterance.addEventListener("end", function () {
finished(entry);
});
utterance.addEventListener("error", function () {
finished(entry);
});
synth.cancel();
synth.speak(utterance);
}
function playServerAudio(entry) {
var audio = new window.Audio();
audio.preload = "auto";
audio.src = entry.button.getAttribute("data-read-aloud-audio");
audio.addEventListener("ended", function () {
finished(entry);
});
audio.addEventListener("error", function () {
finished(entry);
});
entry.audio = audio;
var started = audio.play();
if (started && typeof started.catch === "function") {
started.catch(function () {
finished(entry);
});
}
}
buttons.forEach(function (button) {
button.setAttribute("aria-pressed", "false");
button.addEventListener("click", function () {
var again = reading && reading.button === button;
stop();
if (again) {
return;
}
var voice = localVoice();
var entry = { button: button, audio: null };
reading = entry;
button.setAttribute("aria-pressed", "true");
if (voice) {
speakLocally(entry, voice);
} else if (button.getAttribute("data-read-aloud-audio")) {
playServerAudio(entry);
} else {
finished(entry);
}
});
});
offer();
if (synth && typeof synth.addEventListener === "function") {
synth.addEventListener("voiceschanged", offer);
}
})();
