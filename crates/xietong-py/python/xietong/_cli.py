"""The ``xietong`` console script: runs the command line's own code inside the extension."""

import sys

from . import _xietong


def main(argv=None):
    """Run ``xietong`` with ``argv`` (default: the process's arguments); exits with its code."""
    args = sys.argv[1:] if argv is None else list(argv)
    sys.exit(_xietong.cli_main(["xietong", *args]))


if __name__ == "__main__":
    main()
