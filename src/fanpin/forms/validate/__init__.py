"""Validation of county submissions: read, check, write problems and annotated copies."""
