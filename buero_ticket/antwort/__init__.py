"""Answers to citizens: templates, Word letters, e-mails, SMTP and the acknowledgement of receipt.

Modules, from the bottom up:

- :mod:`.vorlagen`: where templates live (shipped ``vorlagen/`` and the Ablage's ``Vorlagen`` folder).
- :mod:`.kontext`: the plain-dict context a template sees (vorgang, absender, amt, datum, bearbeiter, fields).
- :mod:`.render`: sandboxed jinja2, missing fields listed at once, e-mail text and docx rendering.
- :mod:`.pruefen`: ``vorlagen pruefen``: every template checked, every problem listed.
- :mod:`.brief`: the Word letter (and PDF via LibreOffice) into the Vorgang's ``Ausgang`` folder.
- :mod:`.nachricht`: the outgoing ``EmailMessage`` with tag, Message-ID and threading headers.
- :mod:`.smtp`: sending (STARTTLS, TLS or plain), password from env, file or command.
- :mod:`.versand`: ``antworten``: render, send, file the ``.eml`` in the Vorgang.
- :mod:`.bestaetigung`: automatic acknowledgement on import, with loop protection and a daily limit.
"""
