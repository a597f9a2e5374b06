"""The operator console: server-rendered pages (Jinja2, no script, no front-end build) over
the same backend as the operator API, mounted at ``/console`` of the operator API's port.

Login with the operator token; the session is a signed cookie (HttpOnly, SameSite=Strict,
Secure when ``MLC_CONSOLE_SECURE_COOKIE``), every POST carries the session's CSRF token.
"""
