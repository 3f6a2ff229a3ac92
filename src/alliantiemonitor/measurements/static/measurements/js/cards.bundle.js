// Built by `manage.py client_bundle` from autosave.js, read-aloud.js, cards.js; edit those.
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
(function () {
"use strict";
var root = document.querySelector("[data-cards]");
if (!root || !root.querySelector("[data-table]") || !root.querySelector("[data-hand]")) {
return;
}
var deck = root.querySelector("[data-deck]");
var hand = root.querySelector("[data-hand]");
var table = root.querySelector("[data-table]");
var live = document.getElementById(root.getAttribute("data-live"));
var cards = Array.prototype.slice.call(root.querySelectorAll("[data-card]"));
var piles = {};
root.querySelectorAll("[data-pile]").forEach(function (pile) {
piles[pile.getAttribute("data-pile")] = pile;
});
var current = null;
function say(key, card, pile) {
var text = (root.getAttribute("data-msg-" + key) || "")
.replace("{n}", card.getAttribute("data-card"))
.replace("{pile}", pile ? pile.querySelector("[data-pile-label]").textContent.trim() : "");
live.textContent = "";
window.setTimeout(function () {
live.textContent = text;
}, 50);
}
function pick(card) {
return card.querySelector(".am-card__pick");
}
function flag(card) {
return card.querySelector("input[name='flag']");
}
function value(card) {
var checked = card.querySelector("input[type='radio']:checked");
return checked ? checked.value : "";
}
function home(card) {
var box = flag(card);
var pile = piles[value(card)] || (box && box.checked ? piles.aside : null);
return pile ? pile.querySelector("[data-pile-cards]") : deck;
}
function lay(card) {
var box = flag(card);
var place = card === current ? hand : home(card);
card.classList.toggle("is-aside", !!(box && box.checked));
if (card.parentNode === place) {
return;
}
var hadFocus = card.contains(document.activeElement) ? document.activeElement : null;
var next = null;
place.querySelectorAll("[data-card]").forEach(function (other) {
if (!next && +other.getAttribute("data-card") > +card.getAttribute("data-card")) {
next = other;
}
});
place.insertBefore(card, next);
if (hadFocus) {
hadFocus.focus();
}
}
function count() {
Object.keys(piles).forEach(function (key) {
piles[key].querySelector("[data-count]").textContent =
key === "aside"
? cards.filter(function (card) {
var box = flag(card);
return !!(box && box.checked);
}).length
: piles[key].querySelectorAll("[data-card]").length;
});
var left = cards.filter(function (card) {
return home(card) === deck;
}).length;
deck.querySelector("[data-deck-count]").textContent = left;
deck.classList.toggle("is-empty", !deck.querySelector("[data-card]"));
}
function select(card) {
var previous = current;
if (previous === card) {
return;
}
current = card || null;
if (previous) {
previous.classList.remove("is-current");
pick(previous).setAttribute("aria-pressed", "false");
lay(previous);
}
if (card) {
card.classList.add("is-current");
pick(card).setAttribute("aria-pressed", "true");
lay(card);
}
}
function firstInDeck() {
return deck.querySelector("[data-card]");
}
function changed(input) {
input.dispatchEvent(new Event("change", { bubbles: true }));
}
function place(card, key) {
var pile = piles[key];
if (!card || !pile) {
return card;
}
if (key === "aside") {
var box = flag(card);
box.checked = !box.checked;
changed(box);
say(box.checked ? "aside" : "unaside", card);
} else {
var radio = card.querySelector("input[type='radio'][value='" + key + "']");
radio.checked = true;
changed(radio);
say("placed", card, pile);
}
select(null);
select(firstInDeck());
count();
return current;
}
function pileForKey(key) {
var found = null;
root.querySelectorAll("[data-pile-button]").forEach(function (button) {
if (button.getAttribute("data-key") === key.toLowerCase()) {
found = button.closest("[data-pile]").getAttribute("data-pile");
}
});
return found;
}
root.classList.add("is-live");
table.hidden = false;
hand.hidden = false;
root.querySelectorAll("[hidden].am-cards__help, [hidden].am-cards__heading").forEach(
function (element) {
element.hidden = false;
}
);
cards.forEach(function (card) {
pick(card).hidden = false;
lay(card);
});
count();
select(firstInDeck());
root.addEventListener("click", function (event) {
if (Date.now() < quietUntil) {
return;
}
var button = event.target.closest("[data-pile-button]");
if (button) {
place(current || firstInDeck(), button.closest("[data-pile]").getAttribute("data-pile"));
return;
}
var card = event.target.closest("[data-card]");
if (card && !event.target.closest("input, label, .am-read-aloud")) {
select(card);
if (event.target.closest(".am-card__pick")) {
say("picked", card);
}
}
});
root.addEventListener("change", function (event) {
var card = event.target.closest("[data-card]");
if (card && event.isTrusted) {
lay(card);
count();
}
});
root.addEventListener("keydown", function (event) {
var card = event.target.closest("[data-card]");
if (!card || event.ctrlKey || event.altKey || event.metaKey) {
return;
}
if (event.target.matches("input") && event.key === " ") {
return;
}
var key = pileForKey(event.key);
if (!key) {
return;
}
event.preventDefault();
select(card);
var next = place(card, key);
pick(next || card).focus();
});
var drag = null;
var quietUntil = 0;
root.addEventListener("pointerdown", function (event) {
var card = event.target.closest("[data-card]");
if (!card || event.button !== 0 || event.target.closest("input, label, .am-read-aloud")) {
return;
}
if (event.pointerType === "touch" && !event.target.closest(".am-card__pick")) {
return;
}
drag = { card: card, x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
});
document.addEventListener("pointermove", function (event) {
if (!drag || event.pointerId !== drag.id) {
return;
}
var dx = event.clientX - drag.x;
var dy = event.clientY - drag.y;
if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 8) {
return;
}
drag.moved = true;
drag.card.classList.add("is-dragging");
drag.card.style.transform = "translate(" + dx + "px, " + dy + "px)";
var over = document.elementFromPoint(event.clientX, event.clientY);
root.querySelectorAll(".am-pile.is-over").forEach(function (pile) {
pile.classList.remove("is-over");
});
var pile = over && over.closest("[data-pile]");
if (pile) {
pile.classList.add("is-over");
}
});
function endDrag(event) {
if (!drag || event.pointerId !== drag.id) {
return;
}
var card = drag.card;
var moved = drag.moved;
drag = null;
card.classList.remove("is-dragging");
card.style.transform = "";
root.querySelectorAll(".am-pile.is-over").forEach(function (pile) {
pile.classList.remove("is-over");
});
if (!moved || event.type === "pointercancel") {
return;
}
var over = document.elementFromPoint(event.clientX, event.clientY);
var pile = over && over.closest("[data-pile]");
if (pile) {
select(card);
place(card, pile.getAttribute("data-pile"));
}
quietUntil = Date.now() + 400;
}
document.addEventListener("pointerup", endDrag);
document.addEventListener("pointercancel", endDrag);
})();
