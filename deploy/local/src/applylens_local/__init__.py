"""Local stack: embedded broker and database, the applylens CLI, and the pytest fixtures."""
