"""Command tests: the export tests build histories with the store tests' ``store_helpers.Desk``."""
import sys
from pathlib import Path

STORE_HELPERS = str(Path(__file__).resolve().parents[2] / "adapters" / "store")
if STORE_HELPERS not in sys.path:
    sys.path.insert(0, STORE_HELPERS)
