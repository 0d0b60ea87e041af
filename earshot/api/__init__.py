"""The HTTP app: JSON API under /api, the web pages, health; built by `create_app`."""
