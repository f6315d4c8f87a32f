"""An exported alert as a file: its media type and the name it is saved under."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi.responses import Response

# STIX 2.1 section 1.7.1 names this media type; MISP events are plain JSON.
MEDIA_TYPES = {"stix": "application/stix+json;version=2.1", "misp": "application/json"}
FILE_SUFFIX = {"stix": "stix.json", "misp": "misp.json"}


def export_response(document: dict[str, Any], alert_id: uuid.UUID, format: str) -> Response:
    """The document with its media type and a file name for the browser or the tool."""
    headers = {
        "Content-Disposition": f'attachment; filename="tocsin-{alert_id}.{FILE_SUFFIX[format]}"',
        "X-Content-Type-Options": "nosniff",
    }
    body = json.dumps(document, indent=2, ensure_ascii=False).encode()
    return Response(body, media_type=MEDIA_TYPES[format], headers=headers)
