"""API shapes of the on-call list; numbers are checked and kept in E.164."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tocsin.sms.phone import e164

Phone = Annotated[str, Field(max_length=32, description="E.164, e.g. +33612345678"),
                  AfterValidator(e164)]  # fmt: skip


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, from_attributes=True)

    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="", max_length=200, description="e.g. RSSI d'astreinte")
    phone: Phone
    hours: str = Field(default="", max_length=200, description="e.g. 24/7, or 8h-18h")


class OnCallList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contacts: list[Contact] = Field(max_length=20, description="in the order to call them")
