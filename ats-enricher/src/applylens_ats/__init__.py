"""ats-enricher: application stage and ghosting risk on recruiter email."""
