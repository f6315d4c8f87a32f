"""The Kannel gateway against the real thing: bearerbox, smsbox and a fake operator SMSC."""

from __future__ import annotations

import pytest

from tests.sms.kannel import PASSWORD, USER, Kannel
from tocsin.sms.gateway import KannelGateway, SmsError


async def test_a_message_reaches_the_operator_in_french_with_its_accents(kannel: Kannel) -> None:
    gateway = KannelGateway(url=kannel.url, username=USER, password=PASSWORD, sender="TOCSIN")
    text = "tocsin · CRITIQUE · TLP:AMBER · CHU de Rouvray · Rançongiciel détecté"
    await gateway.send(to="+33612345678", text=text)
    assert kannel.wait_for(1) == [("+33612345678", text)]


async def test_a_long_message_arrives_whole_in_concatenated_parts(kannel: Kannel) -> None:
    gateway = KannelGateway(url=kannel.url, username=USER, password=PASSWORD)
    text = ("Chiffrement des serveurs d'imagerie médicale " * 4).strip()  # 179: three parts
    await gateway.send(to="+33612345678", text=text)
    assert kannel.wait_for(1) == [("+33612345678", text)]
    assert kannel.parts() == 3


async def test_the_gateway_refusing_is_an_error_that_says_why(kannel: Kannel) -> None:
    gateway = KannelGateway(url=kannel.url, username=USER, password="wrong")
    with pytest.raises(SmsError, match="refused"):
        await gateway.send(to="+33612345678", text="x")
    assert kannel.received() == []


async def test_an_unreachable_gateway_is_an_error_not_a_crash() -> None:
    gateway = KannelGateway(url="http://127.0.0.1:9/cgi-bin/sendsms", username=USER,
                            password=PASSWORD, timeout=2)  # fmt: skip
    with pytest.raises(SmsError, match="unreachable"):
        await gateway.send(to="+33612345678", text="x")
