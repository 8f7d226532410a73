"""Auction sessions, registration and deposits, live bidding."""
