"""Secrets at rest and in transit: exchange-key encryption, password hashing, API tokens."""
