"""learner-service: per-user preference weights learned from approve/reject decisions."""
