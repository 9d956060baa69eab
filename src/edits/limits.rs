//! Bounds on what one answer may ask for, so parsing and applying stay within a run's limits.

use super::parse::{ANSWER, ProposedEdit};

/// The largest answer read at all (4 MiB): far beyond any real edit, far below what would cost
/// memory or minutes.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

/// The most distinct files one answer may touch.
pub const MAX_FILES_PER_ANSWER: usize = 200;

pub(super) fn check_answer(answer: &str) -> Result<(), String> {
    if answer.len() > MAX_ANSWER_BYTES {
        return Err(format!(
            "the answer is {} bytes, over the limit of {MAX_ANSWER_BYTES}; nothing of it was applied. Answer with only the files that change, or with SEARCH/REPLACE edits",
            answer.len()
        ));
    }
    Ok(())
}

/// The edits unchanged, or one refusal when they touch too many files.
pub(super) fn check_files(edits: Vec<ProposedEdit>) -> Vec<ProposedEdit> {
    let mut paths: Vec<&str> = edits
        .iter()
        .filter(|e| !matches!(e, ProposedEdit::Refused { .. }))
        .map(ProposedEdit::path)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    if paths.len() <= MAX_FILES_PER_ANSWER {
        return edits;
    }
    vec![ProposedEdit::Refused {
        path: ANSWER.to_string(),
        reason: format!(
            "the answer changes {} files, over the limit of {MAX_FILES_PER_ANSWER}; nothing of it was applied. Change fewer files per answer",
            paths.len()
        ),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_answer_is_refused_whole() {
        let big = "x".repeat(MAX_ANSWER_BYTES + 1);
        let err = check_answer(&big).unwrap_err();
        assert!(err.contains("over the limit"), "{err}");
        assert!(check_answer("small").is_ok());
    }

    #[test]
    fn too_many_files_is_one_refusal() {
        let many: Vec<ProposedEdit> = (0..=MAX_FILES_PER_ANSWER)
            .map(|n| ProposedEdit::WholeFile {
                path: format!("f{n}.txt"),
                content: String::new(),
            })
            .collect();
        let out = check_files(many);
        assert_eq!(out.len(), 1);
        assert!(
            matches!(&out[0], ProposedEdit::Refused { reason, .. } if reason.contains("201 files"))
        );
    }
}
