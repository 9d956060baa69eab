//! The generate → validate → refine loop, its stop rules and circuit breakers (SPEC §3).
