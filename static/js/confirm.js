// Buttons with data-confirm ask before submitting: nothing that affects a person happens in one click.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Print buttons (no inline handlers).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Back buttons (no javascript: links).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-back]")) {
    window.history.back();
  }
});
