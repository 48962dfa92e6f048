// Self-check quizzes: the verdict, then the feedback written for the chosen option; a score per quiz; the
// reader's checked answers kept in this browser's local storage (nothing leaves the device), with a button
// that clears them. Runs only in the reader's browser.
document.addEventListener("DOMContentLoaded", function () {
  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key)) || {};
    } catch (e) {
      return {};  // storage blocked or unreadable: the quiz still works, it just forgets
    }
  }

  function save(key, answers) {
    try {
      window.localStorage.setItem(key, JSON.stringify(answers));
    } catch (e) { /* storage blocked: nothing to do */ }
  }

  document.querySelectorAll(".scored-quiz").forEach(function (quiz) {
    var key = "scored-quiz:" + quiz.id;
    var answers = load(key);  // question id -> index of the checked option
    var forms = Array.prototype.slice.call(quiz.querySelectorAll("form.scored-quiz-question"));
    var scoreText = quiz.querySelector(".scored-quiz-score-text");

    function updateScore() {
      var right = 0, answered = 0;
      forms.forEach(function (form) {
        if (form.classList.contains("is-correct")) right += 1;
        if (form.classList.contains("is-correct") || form.classList.contains("is-wrong")) answered += 1;
      });
      scoreText.textContent = "Score: " + right + " of " + forms.length + " answered correctly" +
        (answered > right ? " (" + (answered - right) + " to try again)." : ".");
    }

    function show(form, chosen) {
      var feedback = form.querySelector(".scored-quiz-feedback");
      var right = chosen.dataset.correct === "true";
      form.classList.remove("is-correct", "is-wrong");
      form.classList.add(right ? "is-correct" : "is-wrong");
      feedback.textContent = "";
      var verdict = document.createElement("span");
      verdict.className = "scored-quiz-verdict";
      verdict.textContent = right ? "Correct." : "Not quite.";
      feedback.appendChild(verdict);
      feedback.appendChild(document.createTextNode(" " + chosen.dataset.feedback));
    }

    forms.forEach(function (form) {
      var qid = form.dataset.question;
      var saved = answers[qid];
      var options = form.querySelectorAll("input[type=radio]");
      if (saved !== undefined && options[saved]) {
        options[saved].checked = true;
        show(form, options[saved]);
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen) {
          form.classList.remove("is-correct", "is-wrong");
          form.querySelector(".scored-quiz-feedback").textContent = "Choose an answer first.";
          return;
        }
        show(form, chosen);
        answers[qid] = Number(chosen.value);
        save(key, answers);
        updateScore();
      });
    });

    quiz.querySelector(".scored-quiz-reset").addEventListener("click", function () {
      answers = {};
      try {
        window.localStorage.removeItem(key);
      } catch (e) { /* storage blocked */ }
      forms.forEach(function (form) {
        form.reset();
        form.classList.remove("is-correct", "is-wrong");
        form.querySelector(".scored-quiz-feedback").textContent = "";
      });
      updateScore();
    });
    updateScore();
  });
});
