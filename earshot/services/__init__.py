"""The one service layer behind the CLI, the JSON API and the HTML pages."""
