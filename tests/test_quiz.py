"""Quiz files: the format is enforced, with errors that name the file, the question and the option."""

from __future__ import annotations

from pathlib import Path

import pytest

from scored_site.quiz import QuizError, load_quiz, parse_quiz, render_quiz

BOOK = Path(__file__).resolve().parent.parent / "book"
QUIZ_FILES = sorted((BOOK / "quizzes").glob("*.yml"))


def good():
    return {"questions": [{"prompt": "P?", "options": [
        {"text": "A", "correct": True, "feedback": "Right because."},
        {"text": "B", "feedback": "Wrong because."}]}]}


def test_every_course_quiz_is_valid_and_has_five_or_more_questions():
    assert QUIZ_FILES, "no quiz files in book/quizzes"
    for path in QUIZ_FILES:
        quiz = load_quiz(path)
        assert len(quiz.questions) >= 5, f"{path.name} has {len(quiz.questions)} questions"


@pytest.mark.parametrize("mutate, message", [
    (lambda q: q["questions"][0]["options"][1].update(correct=True), "exactly one option"),
    (lambda q: q["questions"][0]["options"][0].update(correct=False), "exactly one option"),
    (lambda q: q["questions"][0]["options"][1].pop("feedback"), "option b: 'feedback'"),
    (lambda q: q["questions"][0]["options"].pop(), "at least two"),
    (lambda q: q["questions"][0].update(prompt=""), "question 1: 'prompt'"),
    (lambda q: q["questions"][0]["options"][0].update(correct="yes"), "true or false"),
    (lambda q: q.update(questions=[]), "non-empty list"),
    (lambda q: q.update(extra=1), "unknown keys"),
])
def test_bad_quizzes_are_rejected_with_a_message_naming_the_problem(mutate, message):
    quiz = good()
    mutate(quiz)
    with pytest.raises(QuizError, match=message):
        parse_quiz(quiz, "test.yml")


def test_rendered_quiz_escapes_text_and_carries_feedback_for_every_option():
    quiz = good()
    quiz["questions"][0]["prompt"] = "Is <b> bold?"
    html = render_quiz(parse_quiz(quiz), "quiz-x")
    assert "<b> bold" not in html and "&lt;b&gt; bold" in html
    assert html.count('type="radio"') == 2 and html.count("data-feedback=") == 2
    assert 'data-correct="true"' in html and 'role="status"' in html
