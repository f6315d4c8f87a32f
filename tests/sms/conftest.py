"""Fixtures of the SMS tests: a real Kannel chain (tests/sms/kannel.py)."""

from tests.sms.kannel import kannel

__all__ = ["kannel"]
