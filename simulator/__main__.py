"""`python -m simulator`: the codedesk command, in whatever Python runs it (`codedesk serve`)."""

import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
