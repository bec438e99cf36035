"""Services of the surge response; each takes a session and the acting user."""
