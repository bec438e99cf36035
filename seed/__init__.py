"""The demo city 绍兴市 (Shaoxing), loaded through the services (seed/demo.py); its
commands are in seed/cli.py."""
