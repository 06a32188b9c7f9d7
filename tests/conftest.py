import sys
from pathlib import Path

# Lets the tests import their small shared modules (notebook_files) by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
