#!/usr/bin/env python
import sys

if __name__ == "__main__":
    from qualityloop.cli import manage

    manage(sys.argv[1:])
