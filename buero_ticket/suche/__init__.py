"""Full-text search over every Vorgang, German-aware (see :mod:`.analyse` and :mod:`.volltext`)."""
