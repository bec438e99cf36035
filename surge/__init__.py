"""Surge response: scenarios, plans from the optimizer, allocation orders and support requests."""
