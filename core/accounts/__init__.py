"""Branches, staff accounts, roles and the bidding-eligibility rule."""
