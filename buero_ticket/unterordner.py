"""The names of a Vorgang folder's subfolders (a leaf module: the search workers need them without the store)."""

NACHRICHTEN_DIR = "Nachrichten"
ANLAGEN_DIR = "Anlagen"
AUSGANG_DIR = "Ausgang"
SUBDIRS = (NACHRICHTEN_DIR, ANLAGEN_DIR, AUSGANG_DIR)
