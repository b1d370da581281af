//! Tenant attacks on classes (SPEC §13).
