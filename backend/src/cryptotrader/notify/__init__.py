"""Notifications: alerts from the bus, fanned out to each user's push channels.

``events`` says which alerts are notifications and how they read; ``channels`` speak the push
protocols (Web Push, Expo, ntfy); ``notifier`` consumes ``alerts`` and records one delivery per
user, channel and device; ``dispatcher`` sends the recorded deliveries, retries and forgets dead
devices.
"""
