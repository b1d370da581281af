//! Tenant attacks on claims (SPEC §13).
