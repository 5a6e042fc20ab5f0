"""``python -m buero_ticket``."""

from .cli import main

main()
