"""The wiring: the `earshot` CLI, the HTTP API and the web UI, over one service layer."""
