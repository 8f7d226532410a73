"""The package desk: written-off loans, grading, pricing, bundling, approval."""
