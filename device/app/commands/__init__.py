"""One module per ``deskpulse`` command; see device/cli.py for the contract."""
