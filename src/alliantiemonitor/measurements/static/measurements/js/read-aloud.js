// Read the statement and its answers aloud (easy-read), with the device's own voices only:
// an online voice would send the client's questionnaire text off the device. Without a
// local voice for the page's language the button stays hidden.
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
