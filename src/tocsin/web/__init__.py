"""The web interface: server-rendered pages (Jinja2, htmx, EventSource) over the services."""
