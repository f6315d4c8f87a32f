"""The message bus: wakes dispatchers and fans events out across tocsin nodes."""

from tocsin.bus.base import Bus, Handler, Subscription, subject_matches
from tocsin.bus.factory import make_bus

__all__ = ["Bus", "Handler", "Subscription", "make_bus", "subject_matches"]
