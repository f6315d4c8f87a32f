"""How an exercise is marked wherever a title is shown (pages, e-mails, SMS, documents). Pure.

One helper so that every channel says it the same way, in the reader's language.
"""

from __future__ import annotations

EXERCISE = {"fr": "EXERCICE", "en": "EXERCISE"}


def exercise_word(language: str) -> str:
    """EXERCICE in French (the default), EXERCISE in English."""
    return EXERCISE["en" if language == "en" else "fr"]


def shown_title(title: str, *, exercise: bool, language: str) -> str:
    """The title as readers see it: an exercise's starts with the word, in capitals."""
    return f"{exercise_word(language)} · {title}" if exercise else title
