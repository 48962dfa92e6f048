"""Self-check quizzes: a YAML file of multiple-choice questions, rendered as a static HTML form.

The file looks like::

    title: Check your understanding
    questions:
      - prompt: "Which ...?"
        options:
          - text: "..."
            correct: true
            feedback: "Why this is right."
          - text: "..."
            feedback: "Why this is wrong."

Every option carries feedback, and exactly one option is correct. The feedback gives the reason only: the
page prints the verdict ("Correct." or "Not quite.") before it, so a feedback text never starts with one.
Checking happens in the reader's browser (``scored-quiz.js``): no kernel, no server, nothing sent anywhere.
The quiz shows a score and remembers the reader's checked answers in the browser's local storage, with a
button that clears them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import yaml


class QuizError(ValueError):
    """A quiz file that does not follow the format; the message names the file and the question."""


@dataclass(frozen=True)
class Option:
    text: str
    feedback: str
    correct: bool


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[Option, ...]
    objectives: tuple[str, ...] = ()  # the chapter's learning objectives this question assesses


@dataclass(frozen=True)
class Quiz:
    title: str
    questions: tuple[Question, ...]


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuizError(f"{where} must be a non-empty string, got {value!r}")
    return value.strip()


def parse_quiz(data, source: str = "quiz") -> Quiz:
    """Validate a quiz loaded from YAML; raise :class:`QuizError` naming what is wrong."""
    if not isinstance(data, dict):
        raise QuizError(f"{source}: expected a mapping with 'title' and 'questions'")
    unknown = set(data) - {"title", "questions"}
    if unknown:
        raise QuizError(f"{source}: unknown keys {sorted(unknown)}; allowed: title, questions")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise QuizError(f"{source}: 'questions' must be a non-empty list")
    parsed = []
    for number, question in enumerate(questions, start=1):
        where = f"{source}, question {number}"
        if not isinstance(question, dict):
            raise QuizError(f"{where}: expected a mapping with 'prompt' and 'options'")
        prompt = _text(question.get("prompt"), f"{where}: 'prompt'")
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            raise QuizError(f"{where}: needs a list of at least two 'options'")
        parsed_options = []
        for letter, option in zip("abcdefghij", options):
            owhere = f"{where}, option {letter}"
            if not isinstance(option, dict):
                raise QuizError(f"{owhere}: expected a mapping with 'text' and 'feedback'")
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                raise QuizError(f"{owhere}: 'correct' must be true or false, got {correct!r}")
            parsed_options.append(Option(
                text=_text(option.get("text"), f"{owhere}: 'text'"),
                feedback=_text(option.get("feedback"), f"{owhere}: 'feedback'"),
                correct=correct,
            ))
        if len(options) > 10:
            raise QuizError(f"{where}: at most 10 options")
        n_correct = sum(o.correct for o in parsed_options)
        if n_correct != 1:
            raise QuizError(f"{where}: exactly one option must be marked 'correct: true' (found {n_correct})")
        objectives = question.get("objectives", [])
        if not isinstance(objectives, list) or not all(isinstance(o, str) and o for o in objectives):
            raise QuizError(f"{where}: 'objectives' must be a list of objective ids, got {objectives!r}")
        unknown = set(question) - {"prompt", "options", "objectives"}
        if unknown:
            raise QuizError(f"{where}: unknown keys {sorted(unknown)}; allowed: prompt, options, objectives")
        parsed.append(Question(prompt, tuple(parsed_options), tuple(objectives)))
    title = _text(data.get("title", "Check your understanding"), f"{source}: 'title'")
    return Quiz(title, tuple(parsed))


def load_quiz(path: Path) -> Quiz:
    """Read and validate a quiz file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuizError(f"quiz file not found: {path}") from None
    except yaml.YAMLError as error:
        raise QuizError(f"{path}: not valid YAML: {error}") from None
    return parse_quiz(data, str(path))


def render_quiz(quiz: Quiz, quiz_id: str) -> str:
    """The quiz as HTML: one form per question (radio buttons, a check button, a live feedback line), then
    the score and a button that clears the saved answers."""
    e = lambda s: html.escape(s, quote=True)  # noqa: E731 - short local alias keeps the markup readable
    parts = [f'<div class="scored-quiz" id="{e(quiz_id)}" data-questions="{len(quiz.questions)}">']
    for q_number, question in enumerate(quiz.questions, start=1):
        qid = f"{quiz_id}-q{q_number}"
        parts.append(f'<form class="scored-quiz-question" data-question="{e(qid)}">')
        parts.append("<fieldset>")
        parts.append(f'<legend><span class="scored-quiz-number">Question {q_number}.</span> {e(question.prompt)}</legend>')
        for o_number, option in enumerate(question.options):
            oid = f"{qid}-o{o_number}"
            parts.append(
                f'<div class="scored-quiz-option"><input type="radio" name="{e(qid)}" id="{e(oid)}" '
                f'value="{o_number}" data-correct="{str(option.correct).lower()}" '
                f'data-feedback="{e(option.feedback)}"> <label for="{e(oid)}">{e(option.text)}</label></div>'
            )
        parts.append("</fieldset>")
        parts.append('<button type="submit" class="scored-quiz-check">Check answer</button>')
        parts.append('<p class="scored-quiz-feedback" role="status" aria-live="polite"></p>')
        parts.append("</form>")
    parts.append(
        '<div class="scored-quiz-score"><p class="scored-quiz-score-text" role="status" aria-live="polite">'
        f'Score: 0 of {len(quiz.questions)} answered correctly.</p>'
        '<button type="button" class="scored-quiz-reset">Clear my answers</button></div>'
    )
    parts.append("</div>")
    return "\n".join(parts)
