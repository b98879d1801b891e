from __future__ import annotations

from walkrx.cli import main

if __name__ == "__main__":
    main()
