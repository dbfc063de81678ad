"""rag-service: chat over the mailbox with boosts for urgent recruiter mail."""
