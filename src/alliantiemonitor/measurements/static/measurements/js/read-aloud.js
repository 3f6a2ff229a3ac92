// Read a statement and its answer options aloud, on every device. A voice of the device itself
// speaks when it has one for the page's language; otherwise the audio that the server made
// (offline, from the instrument's text only) plays, fetched only when the button is pressed.
// Never an online voice: it would send the questionnaire text off the device.
// The button speaks only when pressed, so a screen reader is never spoken over uninvited;
// pressing it again stops. aria-pressed says whether it is reading.
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
  // What reads now: {button, audio} (audio is null for the device's voice).
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

  // A reading that ends by itself; a late event of a reading already stopped changes nothing.
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
    // The statement and the scale's options: what the server's audio says too.
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
    // Loaded now, on the press, and not before: a client who never presses downloads nothing.
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
