"""The HTTP gateway: REST + WebSocket over the services (``create_app``)."""
