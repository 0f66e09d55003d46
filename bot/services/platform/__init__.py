"""The platform every domain stands on: the outbox (messages written in the transaction that
causes them), notices rendered in the recipient's language, the record of handled updates,
dialogues kept in the database, and the audit trail. It knows no domain above it."""
