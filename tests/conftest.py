import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
# Builds in tests use the sample portal's frozen clock unless a test sets GOVSITE_NOW itself.
os.environ.pop("GOVSITE_NOW", None)
