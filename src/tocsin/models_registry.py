"""The one list of model modules, so migrations and tests see every table."""

from __future__ import annotations

import importlib

MODEL_MODULES = [
    "tocsin.audit.models",
    "tocsin.idempotency",
    "tocsin.network.models",
    "tocsin.identity.models",
    "tocsin.alerts.models",
    "tocsin.relay.models",
    "tocsin.responses.models",
    "tocsin.delivery.models",
    "tocsin.interop.exchange_models",
    "tocsin.interop.taxii.models",
    "tocsin.intel.models",
    "tocsin.posture.models",
    "tocsin.oncall.models",
    "tocsin.briefing.models",
    "tocsin.exercises.models",
    "tocsin.obligations.models",
]


def load() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
