"""Live events over WebSocket: one bus subscription per process, fanned out to clients."""
