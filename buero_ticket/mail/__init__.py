"""Mail: IMAP access, parsing of raw messages and Outlook files."""
