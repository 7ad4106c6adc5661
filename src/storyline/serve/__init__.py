"""The web interface of storyline: a JSON API and HTML pages over the chronicle."""

from storyline.serve.app import create_app

__all__ = ["create_app"]
