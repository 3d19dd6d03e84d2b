// The ballot stepper (templates/public/vote.html): "Clear" empties an answer on the spot.
// Without script the button posts the step and the server clears it; either way the
// answers stay on this page until the final submission.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-ballot-clear]");
  if (!button) {
    return;
  }
  event.preventDefault();
  for (const radio of document.getElementsByName(button.dataset.ballotClear)) {
    radio.checked = false;
  }
});
