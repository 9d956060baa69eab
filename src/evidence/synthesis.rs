//! The pack's `synthesis`: a deterministic summary from the facts, or the prompt for (and the
//! parser of) an optional LLM-written one.

use super::{GeneratedBy, RawEvidence, Synthesis};

/// A summary built from the raw evidence alone; same evidence, same words.
pub fn template(raw: &RawEvidence) -> Synthesis {
    let _ = raw;
    Synthesis {
        executive_summary: String::new(),
        key_findings: Vec::new(),
        recommendations: Vec::new(),
        generated_by: GeneratedBy::Template,
    }
}
