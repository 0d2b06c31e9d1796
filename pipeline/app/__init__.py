"""The guetteur command: its subcommands, the demo, and what each runs."""
