// Typing in a paper form: after each key move to the next statement's field; Backspace in an
// empty field goes back one. The form works the same without this script.
(function () {
  "use strict";
  var keys = Array.prototype.slice.call(document.querySelectorAll("input.am-paper-key"));
  if (!keys.length) {
    return;
  }
  var fits = new RegExp("^" + keys[0].getAttribute("pattern") + "$");
  keys.forEach(function (field, index) {
    field.addEventListener("input", function () {
      if (fits.test(field.value) && index + 1 < keys.length) {
        keys[index + 1].focus();
        keys[index + 1].select();
      }
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Backspace" && field.value === "" && index > 0) {
        event.preventDefault();
        keys[index - 1].focus();
        keys[index - 1].select();
      }
    });
  });
  var firstEmpty = keys.find(function (field) { return field.value === ""; });
  (firstEmpty || keys[0]).focus();
})();
