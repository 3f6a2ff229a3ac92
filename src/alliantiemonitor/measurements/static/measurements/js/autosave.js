// Every change is saved at once through htmx; a "Save" button beside that only makes people
// wonder whether their answers are kept. Without JavaScript (or htmx) the button stays: then it
// is the way to save.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.htmx) {
    return;
  }
  document.querySelectorAll("[data-autosave-fallback]").forEach(function (button) {
    button.hidden = true;
  });
});
