"""Contracts, performance bonds, recoveries and their audit verification."""
