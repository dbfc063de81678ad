"""money-service: receipts, amounts, duplicate charges and spending."""
