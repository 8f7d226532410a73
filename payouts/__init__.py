"""Commission, payout requests and the money ledger."""
