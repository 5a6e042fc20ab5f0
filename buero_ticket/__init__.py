"""buero_ticket: Vorgänge (tickets) for small offices on a shared drive, an IMAP mailbox and Excel."""

__version__ = "0.1.0"
