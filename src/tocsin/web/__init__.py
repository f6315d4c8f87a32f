"""The web interface: server-rendered pages (Jinja2, htmx, EventSource) over the services.
The top of the house with `app` and `cli`: it may import any package; none imports it.
Alerts are read through `publication.opening` and changed through `publication.service`,
the paths the API takes.
"""
