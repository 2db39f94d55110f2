"""Webhooks: signed deliveries of the site's events to endpoints that managers register."""
