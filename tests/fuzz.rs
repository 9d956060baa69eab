//! Property tests over the parsers that take hostile input: the contract loader, the answer
//! parser with SEARCH/REPLACE applied to real files, and the evidence pack verifier. For any
//! input: no panic, an answer (or a clear error), and within a generous time bound — a hang
//! detector, not a benchmark. The budget is fixed (CASES per property) so CI time is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use proptest::prelude::*;
use std::time::{Duration, Instant};

const CASES: u32 = 256;
/// Far above what any of these inputs needs; only a runaway parser gets near it.
const BOUND: Duration = Duration::from_secs(10);

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn within_bound<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(
        started.elapsed() < BOUND,
        "{what} took {:?}",
        started.elapsed()
    );
    out
}

/// Contract-like YAML: known and unknown keys, hostile scalars, nesting, anchors.
fn yaml_doc() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("version".to_string()),
        Just("name".to_string()),
        Just("task".to_string()),
        Just("files".to_string()),
        Just("context".to_string()),
        Just("root".to_string()),
        Just("threshold".to_string()),
        Just("validators".to_string()),
        Just("limits".to_string()),
        Just("llm".to_string()),
        "[a-z_]{1,12}",
    ];
    let scalar = prop_oneof![
        Just("1".to_string()),
        Just("1e308".to_string()),
        Just("-.inf".to_string()),
        Just(".nan".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("/".to_string()),
        Just("'../..'".to_string()),
        Just("\"\\e[31m\\u202e\"".to_string()),
        Just("*a".to_string()),
        Just("&a x".to_string()),
        Just("500000000000y".to_string()),
        Just("[a.py, '**', '[']".to_string()),
        Just("{name: v, run: 'true', weight: 1e308, timeout: 1s}".to_string()),
        Just("- name: v\n    run: 'true'".to_string()),
        "[ -~]{0,40}",
    ];
    prop::collection::vec((key, scalar), 0..14).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_contract_loader_never_panics(doc in yaml_doc(), noise in "\\PC{0,200}", raw in prop::collection::vec(any::<u8>(), 0..300)) {
        let dir = tempfile::tempdir().unwrap();
        for (i, bytes) in [doc.into_bytes(), noise.into_bytes(), raw].into_iter().enumerate() {
            let path = dir.path().join(format!("c{i}.yaml"));
            std::fs::write(&path, &bytes).unwrap();
            let loaded = within_bound("contract::load", || forge::contract::load(&path, Some(dir.path())));
            if let Err(e) = loaded {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
}

/// Answers mixing the formats models use, with SEARCH/REPLACE blocks against real files.
fn answer() -> impl Strategy<Value = String> {
    let path = prop_oneof![
        Just("a.txt".to_string()),
        Just("src/b.py".to_string()),
        Just("../escape.txt".to_string()),
        Just(".GIT/hooks/pre-commit".to_string()),
        Just("/etc/passwd".to_string()),
        "[a-z]{1,6}/[a-z]{1,6}\\.txt",
    ];
    let text = prop_oneof![
        Just("line one\n".to_string()),
        Just("line two\nline three\n".to_string()),
        Just(String::new()),
        "[ -~\n]{0,80}",
    ];
    let part = (path, text.clone(), text, 0..7u8).prop_map(|(p, a, b, form)| match form {
        0 => format!("### FILE: {p}\n```\n{a}```\n"),
        1 => format!("### EDIT: {p}\n<<<<<<< SEARCH\n{a}=======\n{b}>>>>>>> REPLACE\n"),
        2 => format!("{p}\n```python\n<<<<<<< SEARCH\n{a}=======\n{b}>>>>>>> REPLACE\n```\n"),
        3 => format!("```{p}\n{a}```\n"),
        4 => format!("<<<<<<< SEARCH\n{a}=======\n{b}"),
        5 => format!("### FILE: {p}\n```\n{a}"),
        _ => a,
    });
    prop::collection::vec(part, 0..8).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parsing_and_applying_answers_never_panics_or_escapes(answer in answer(), noise in "\\PC{0,300}") {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(work.join("src")).unwrap();
        std::fs::write(work.join("a.txt"), "line one\nline two\nline three\n").unwrap();
        std::fs::write(work.join("src/b.py"), "line one\n").unwrap();
        for text in [answer, noise] {
            let edits = within_bound("edits::parse", || forge::edits::parse(&text));
            let report = within_bound("edits::apply", || forge::edits::apply(&work, &edits, &|_| true));
            for applied in &report.applied {
                prop_assert!(applied.path.under(&work).starts_with(&work));
            }
        }
        prop_assert!(!dir.path().join("escape.txt").exists());
        prop_assert!(!work.join(".GIT").exists() && !work.join(".git").exists());
    }
}

/// A signed pack's JSON with one value replaced, or bytes that are barely JSON.
fn pack_bytes() -> impl Strategy<Value = Vec<u8>> {
    let key = support::records::key(support::records::KEY_BYTES);
    let mut pack = support::records::sample_pack();
    forge::evidence::sign(&mut pack, &key).unwrap();
    let valid = serde_json::to_value(&pack).unwrap();
    let replacement = prop_oneof![
        Just(serde_json::json!(null)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!("")),
        Just(serde_json::json!("../../etc/passwd")),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        "\\PC{0,30}".prop_map(serde_json::Value::String),
    ];
    let pointers: Vec<String> = leaf_pointers(&valid, "");
    (
        0..pointers.len(),
        replacement,
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(move |(i, r, mutate, raw)| {
            if !mutate {
                return raw;
            }
            let mut v = valid.clone();
            if let Some(slot) = v.pointer_mut(&pointers[i]) {
                *slot = r;
            }
            serde_json::to_vec(&v).unwrap()
        })
}

fn leaf_pointers(v: &serde_json::Value, at: &str) -> Vec<String> {
    let mut out = vec![at.to_string()];
    match v {
        serde_json::Value::Object(m) => {
            for (k, child) in m {
                out.extend(leaf_pointers(
                    child,
                    &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                ));
            }
        }
        serde_json::Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                out.extend(leaf_pointers(child, &format!("{at}/{i}")));
            }
        }
        _ => {}
    }
    out
}

/// What a reader holding the HMAC key trusts.
fn trust(key: &forge::evidence::EvidenceKey) -> forge::evidence::Trust {
    forge::evidence::Trust {
        hmac: Some(key.clone()),
        public: Vec::new(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_pack_verifier_never_panics_and_never_passes_a_changed_pack(bytes in pack_bytes()) {
        let key = support::records::key(support::records::KEY_BYTES);
        let report = within_bound("evidence::verify", || forge::evidence::verify(&bytes, &trust(&key), None));
        if report.valid {
            // Only a replacement equal to the original value can still verify.
            let original = {
                let mut pack = support::records::sample_pack();
                forge::evidence::sign(&mut pack, &key).unwrap();
                serde_json::to_value(&pack).unwrap()
            };
            let got: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(got, original);
        }
    }
}

#[test]
fn the_unchanged_pack_verifies_so_the_property_above_can_fail() {
    let key = support::records::key(support::records::KEY_BYTES);
    let mut pack = support::records::sample_pack();
    forge::evidence::sign(&mut pack, &key).unwrap();
    let bytes = serde_json::to_vec(&pack).unwrap();
    assert!(forge::evidence::verify(&bytes, &trust(&key), None).valid);
}

/// Found by the property above: the unsigned integrity block's `canonicalization` could be
/// changed and the pack still verified.
#[test]
fn a_changed_canonicalization_label_is_invalid() {
    let key = support::records::key(support::records::KEY_BYTES);
    let mut pack = support::records::sample_pack();
    forge::evidence::sign(&mut pack, &key).unwrap();
    let mut v = serde_json::to_value(&pack).unwrap();
    v["integrity"]["canonicalization"] = serde_json::json!("");
    let report = forge::evidence::verify(&serde_json::to_vec(&v).unwrap(), &trust(&key), None);
    assert!(!report.valid);
    assert!(
        report
            .failures()
            .any(|c| c.detail.contains("unsupported canonicalization")),
        "{:?}",
        report.checks
    );
}
