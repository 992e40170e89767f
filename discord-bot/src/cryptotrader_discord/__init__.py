"""CryptoTrader's Discord bot: slash commands and alerts, a client of the CryptoTrader API only.

It imports nothing from the backend: it talks to it over REST (``api``) and ``/ws`` (``events``)
with a service token, as the app does.
"""
