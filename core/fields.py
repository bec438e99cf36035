"""Lengths of the free-text fields, one constant each, shared by the models (column lengths),
forms, API schemas and imports, so a limit cannot differ between the page and the database."""

# a note on a movement, an order, a plan or a scenario
NOTE_MAX = 500
# the shorter free texts (VARCHAR(300) columns): a capacity reserve's note, a norm's basis,
# a cancellation reason, a receiving discrepancy
SHORT_NOTE_MAX = 300
