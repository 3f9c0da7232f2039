//! Helpers for Vigie's cross-component tests.
