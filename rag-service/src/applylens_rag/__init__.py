"""rag-service: chat over the mailbox, urgent recruiter mail first."""
