"""The `codedesk` subcommands, one module per command group; cli.py wires them together."""
