"""Quiz files: the format is enforced, with errors that name the file, the question and the option."""

from __future__ import annotations

import re
from collections import Counter
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


# --- Balance across the course ------------------------------------------------------------------------
# A reader who would rather game a quiz than learn it must not be able to pick "the longest option" or
# "always c". These rules hold over all of book/quizzes/*.yml together:
#   1. the correct option is the strictly longest option in at most a third of the questions;
#   2. no position (a, b, c, ...) holds more than 40% of the correct answers, and every position holds
#      at least half its fair share (a question with k options gives each of its positions 1/k);
#   3. no feedback begins with a verdict ("Correct.", "Not quite: ..."): the page prints the verdict
#      itself, so a verdict in the feedback would be said twice;
#   4. every question names the learning objectives it assesses.
LONGEST_SHARE_MAX = 1 / 3
POSITION_SHARE_MAX = 0.40
POSITION_FAIR_SHARE_MIN = 0.5
VERDICT = re.compile(
    r"^\s*(?:not quite\b|(?:correct|incorrect|right|wrong|yes|no|exactly|not so)\s*[.,:;!\u2014\u2013-])",
    re.IGNORECASE,
)


def course_questions():
    return [(path.name, number, q) for path in QUIZ_FILES
            for number, q in enumerate(load_quiz(path).questions, start=1)]


def correct_index(question) -> int:
    return next(i for i, o in enumerate(question.options) if o.correct)


def test_the_correct_option_is_the_longest_in_at_most_a_third_of_the_questions():
    questions = course_questions()
    longest = [f"{name} q{n}" for name, n, q in questions
               if all(len(q.options[correct_index(q)].text) > len(o.text) for o in q.options if not o.correct)]
    share = len(longest) / len(questions)
    assert share <= LONGEST_SHARE_MAX, (
        f"the correct option is the longest in {len(longest)} of {len(questions)} questions ({share:.0%}, "
        f"at most {LONGEST_SHARE_MAX:.0%} allowed); e.g. {longest[:8]}"
    )


def test_correct_answers_are_spread_over_the_positions():
    questions = course_questions()
    counts = Counter(correct_index(q) for _, _, q in questions)
    fair = Counter()
    for _, _, q in questions:
        for position in range(len(q.options)):
            fair[position] += 1 / len(q.options)
    letters = "abcdefghij"
    summary = ", ".join(f"{letters[p]}: {counts[p]} (fair {fair[p]:.1f})" for p in sorted(fair))
    for position in sorted(fair):
        share = counts[position] / len(questions)
        assert share <= POSITION_SHARE_MAX, f"position {letters[position]} holds {share:.0%} of the keys; {summary}"
        assert counts[position] >= POSITION_FAIR_SHARE_MIN * fair[position], (
            f"position {letters[position]} holds too few keys; {summary}"
        )


def test_no_feedback_begins_with_a_verdict():
    said_twice = [f"{name} q{n} option {'abcdefghij'[i]}: {o.feedback[:40]!r}"
                  for name, n, q in course_questions() for i, o in enumerate(q.options) if VERDICT.match(o.feedback)]
    assert said_twice == [], (
        f"{len(said_twice)} feedback texts begin with a verdict the page already shows; start with the reason:\n"
        + "\n".join(said_twice[:20])
    )


def test_every_question_names_the_objectives_it_assesses():
    missing = [f"{name} q{n}" for name, n, q in course_questions() if not q.objectives]
    assert missing == [], f"questions without 'objectives': {missing}"


@pytest.mark.parametrize("feedback, is_verdict", [
    ("Correct. Because ...", True), ("Not quite: the ...", True), ("No: nothing ...", True),
    ("Right \u2014 the ...", True), ("Not so; ...", True), ("Wrong.", True),
    ("No one is listed ...", False), ("Rightly, ...", False), ("Correctness is ...", False),
    ("The denominators are swapped.", False),
])
def test_the_verdict_rule_tells_a_verdict_from_a_reason(feedback, is_verdict):
    assert bool(VERDICT.match(feedback)) is is_verdict
