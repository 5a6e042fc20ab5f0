"""``python -m buero_ticket``."""

from .cli import main

if __name__ == "__main__":  # not again in a worker process (multiprocessing imports the main module)
    main()
