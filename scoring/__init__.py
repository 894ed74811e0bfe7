"""Pure scoring maths: criteria, normalisation and ranking methods (no database, no UI)."""
