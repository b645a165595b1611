"""Engine tests here and in subfolders (sensing/, coaching/, rollup/) import their helpers from this folder
(pytest runs in importlib mode).

The rollup tests (rollup/test_rollup.py) build their event streams with the history tests'
``store_helpers.Desk`` (tests/adapters/store), which needs nothing of the store itself.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
_STORE_HELPERS = str(Path(__file__).parent.parent / "adapters" / "store")
if _STORE_HELPERS not in sys.path:
    sys.path.append(_STORE_HELPERS)
