"""``python -m tui.keys README.md``: rewrite the README's key tables."""

import sys

from tui.keys.table import write_readme

write_readme(sys.argv[1] if len(sys.argv) > 1 else "README.md")
