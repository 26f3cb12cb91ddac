"""Composition root: settings, CLI, HTTP app and demo. Nothing imports this package."""
