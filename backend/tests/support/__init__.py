"""Test helpers: builders and local servers that speak real protocols."""
