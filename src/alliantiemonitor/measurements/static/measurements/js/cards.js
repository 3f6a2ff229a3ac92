// The card game (progressive enhancement of the card page): every statement's fieldset is a
// card, every answer a pile. Placing a card checks the card's own radio button and sends a
// "change" event, so the form, the autosave and the send are those of the list: this script
// only moves cards and says where they went. Without it the page is a plain form.
//
// A card is placed by tapping it and then a pile, by dragging it onto a pile, or from the
// keyboard on the card's button: 1-5 (the piles in order), 0 (the last pile, "don't know"),
// F (set aside: the client's "I want to talk about this", the same flag as the checkbox).
// A pile's button places the card in hand; with none in hand, the first card not yet placed.
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
    // Emptied first, so that the same words twice are spoken twice.
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

  // Where a card lies follows from its fields: its answer's pile, else aside, else the deck.
  function home(card) {
    var box = flag(card);
    var pile = piles[value(card)] || (box && box.checked ? piles.aside : null);
    return pile ? pile.querySelector("[data-pile-cards]") : deck;
  }

  // Put the card where it belongs: in hand when it is the one in hand, else at home.
  function lay(card) {
    var box = flag(card);
    var place = card === current ? hand : home(card);
    card.classList.toggle("is-aside", !!(box && box.checked));
    if (card.parentNode === place) {
      return;
    }
    var hadFocus = card.contains(document.activeElement) ? document.activeElement : null;
    // In order of number, so that a pile reads like the list.
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

  // A pile counts the cards on it; the aside pile counts every card set aside, also one that
  // got an answer afterwards and lies on that answer's pile (it is still to be talked about).
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

  // Put ``card`` on the pile ``key`` (or toggle it aside); return the card in hand next.
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
    // The card goes down where it now belongs, and the next card still to place comes into
    // hand, as when dealing.
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

  // --- set the table
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

  // --- tap: a card, then a pile
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

  // A flag ticked on the card itself moves it aside as well.
  root.addEventListener("change", function (event) {
    var card = event.target.closest("[data-card]");
    if (card && event.isTrusted) {
      lay(card);
      count();
    }
  });

  // --- keyboard: on a card, the number of a pile
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
    // Dealing on: the next card's button, ready for the next number; the last one stays.
    pick(next || card).focus();
  });

  // --- drag: a card onto a pile (with a finger, from the card's button, so the page scrolls)
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
    // The click that ends a drag is not a tap.
    quietUntil = Date.now() + 400;
  }

  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);
})();
