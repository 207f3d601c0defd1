"""Collaboration, pure parts: residents' reactions (participation), threads, documents."""
