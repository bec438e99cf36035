"""The platform every domain package builds on: configuration, the database and its unit of
work, errors and their answers, languages and labels, audit, logs, input rules, migrations,
the API framework, jobs and their scheduler, SVG drawing, backups and the platform's commands.
It imports no domain package (tests/test_layout_rules.py checks it)."""
