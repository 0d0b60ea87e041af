"""Server-rendered pages for staff (Jinja2, autoescaped: post text is untrusted)."""
