//! Parsing the model's answer into file edits, and refusing the unsafe ones (SPEC §3).
