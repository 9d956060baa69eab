//! External checkers the tests run forge's output through (promtool, openapi-spec-validator,
//! Python's `cryptography` and `rfc8785` through tests/verify_pack.py, Python's `jsonschema`
//! through tests/openapi_body.py).
//! Missing one fails the test under CI=true and skips it, saying why, elsewhere.

use std::io::Write;
use std::process::{Command, Stdio};

/// Whether `tool` can be run; panics under CI=true when it cannot.
pub fn available(tool: &str, install_hint: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{tool} is required under CI=true ({install_hint})");
        }
        eprintln!("skipping the {tool} check: {tool} is not installed ({install_hint})");
    }
    found
}

/// Run `program args` with `input` on stdin; panic with its output unless it exits 0.
pub fn check_with(program: &str, args: &[&str], input: &[u8]) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{program} {args:?} refused the input ({}):\n{}{}\n--- input ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(input)
    );
}

/// `promtool check metrics` on `text`, when promtool is installed.
pub fn promtool_check(text: &str) {
    if available("promtool", "apt-get install prometheus") {
        check_with("promtool", &["check", "metrics"], text.as_bytes());
    }
}

/// python3 with the PyPI packages `cryptography` and `rfc8785` (tests/verify_pack.py); false
/// after saying why, and a failure under CI=true.
pub fn python_crypto() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography, rfc8785"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let why = "python3 with the PyPI packages cryptography and rfc8785 is missing (pip install cryptography rfc8785)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}; CI must have them (see .ci/run)");
        }
        eprintln!("skipped: {why}");
    }
    ok
}

/// python3 with the PyPI package `jsonschema` (tests/openapi_body.py); false after saying why,
/// and a failure under CI=true.
pub fn python_jsonschema() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema; jsonschema.Draft202012Validator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let why = "python3 with the PyPI package jsonschema (4 or later) is missing (pip install jsonschema)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}; CI must have it (see .ci/run)");
        }
        eprintln!("skipped: {why}");
    }
    ok
}

/// Run tests/verify_pack.py with `args`, check that it exits `code`, and return what it said.
pub fn verify_pack_py(args: &[&str], code: i32) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_pack.py");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{text}");
    text
}
