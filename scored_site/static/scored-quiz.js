// Self-check quizzes: show the feedback written for the chosen option. Runs only in the reader's browser.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.scored-quiz-question").forEach(function (form) {
    var feedback = form.querySelector(".scored-quiz-feedback");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[type=radio]:checked");
      form.classList.remove("is-correct", "is-wrong");
      if (!chosen) {
        feedback.textContent = "Choose an answer first.";
        return;
      }
      var right = chosen.dataset.correct === "true";
      form.classList.add(right ? "is-correct" : "is-wrong");
      feedback.textContent = (right ? "Correct. " : "Not quite. ") + chosen.dataset.feedback;
    });
  });
});
