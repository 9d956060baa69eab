//! Ordinary tools keep working inside the validator sandbox (SPEC §11): the example contract
//! and every `forge init` template pass `forge check` with the full sandbox on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use support::Project;

/// Skip (or, on CI, fail) when a tool a test needs is missing.
fn have(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required on CI"
        );
        eprintln!("skipped: `{tool}` is not installed");
    }
    found
}

/// `forge check CONTRACT` passes, and no layer of the sandbox was missing.
fn assert_check_passes(p: &Project, contract: &str, env: &[(String, String)]) {
    let out = p
        .forge(&["check", contract])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("forge runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        !stderr.contains("forge: sandbox:"),
        "the full sandbox is expected on this machine: {stderr}"
    );
}

fn init(p: &Project, template: &str) -> String {
    p.file(".git/HEAD", "ref: refs/heads/main\n");
    p.forge(&["init", "--template", template, template])
        .assert()
        .success();
    format!("contracts/{template}.yaml")
}

const SLUGIFY: &str = r#"import re
import unicodedata


def slugify(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
"#;

#[test]
fn the_example_contract_passes() {
    let p = Project::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tests = "examples/slugify/tests/test_slug.py";
    p.file(
        tests,
        &std::fs::read_to_string(repo.join(tests)).expect("example"),
    );
    p.file("examples/slugify/src/slug.py", SLUGIFY);
    let text = std::fs::read_to_string(repo.join("contracts/slugify.yaml")).expect("contract");
    p.file("contracts/slugify.yaml", &text);
    assert_check_passes(&p, "contracts/slugify.yaml", &[]);
    assert!(
        p.join("examples/slugify/src/__pycache__").is_dir(),
        "Python wrote its bytecode cache"
    );
}

#[test]
fn the_python_template_passes() {
    let p = Project::new();
    let contract = init(&p, "python");
    p.file("src/slug.py", SLUGIFY);
    p.file("tests/__init__.py", "");
    p.file(
        "tests/test_slug.py",
        "import unittest\nfrom src.slug import slugify\n\n\nclass T(unittest.TestCase):\n    \
         def test_slug(self):\n        self.assertEqual(slugify(\"Hello, World!\"), \"hello-world\")\n",
    );
    p.file("src/__init__.py", "");
    assert_check_passes(&p, &contract, &[]);
}

#[test]
fn the_shell_template_passes() {
    if !have("shellcheck") {
        return;
    }
    let p = Project::new();
    let contract = init(&p, "shell");
    p.file(
        "scripts/rotate.sh",
        "#!/bin/sh\nset -eu\nif [ $# -ne 2 ]; then echo 'usage: rotate.sh FILE N' >&2; exit 2; fi\n\
         file=$1\nn=$2\ni=$((n - 1))\nwhile [ \"$i\" -ge 1 ]; do\n  \
         if [ -e \"$file.$i\" ]; then mv \"$file.$i\" \"$file.$((i + 1))\"; fi\n  i=$((i - 1))\ndone\n\
         mv \"$file\" \"$file.1\"\n: > \"$file\"\n",
    );
    p.file(
        "tests/rotate_test.sh",
        "#!/bin/sh\nset -eu\nd=$(mktemp -d)\necho one > \"$d/log\"\nsh scripts/rotate.sh \"$d/log\" 3\n\
         test \"$(cat \"$d/log.1\")\" = one\ntest ! -s \"$d/log\"\n\
         if sh scripts/rotate.sh 2>/dev/null; then exit 1; fi\necho ok\n",
    );
    assert_check_passes(&p, &contract, &[]);
}

#[test]
fn the_node_template_passes() {
    if !have("node") {
        return;
    }
    let p = Project::new();
    let contract = init(&p, "node");
    p.file(
        "package.json",
        "{\"name\": \"t\", \"version\": \"1.0.0\"}\n",
    );
    p.file(
        "src/title-case.js",
        "const SMALL = new Set(['a', 'of', 'the']);\nfunction titleCase(text) {\n  \
         return text.split(' ').map((w, i) => {\n    const l = w.toLowerCase();\n    \
         if (i > 0 && SMALL.has(l)) return l;\n    return l.charAt(0).toUpperCase() + l.slice(1);\n  \
         }).join(' ');\n}\nmodule.exports = { titleCase };\n",
    );
    p.file(
        "test/title-case.test.js",
        "const test = require('node:test');\nconst assert = require('node:assert');\n\
         const { titleCase } = require('../src/title-case.js');\n\
         test('small words', () => assert.strictEqual(titleCase('the lord OF the rings'), 'The Lord of the Rings'));\n",
    );
    assert_check_passes(&p, &contract, &[]);
}

/// Where this test's own toolchain lives, so cargo inside the project finds it although the
/// project's HOME is a temp folder.
fn rust_env() -> Vec<(String, String)> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut env = Vec::new();
    for (name, default) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
        let value = std::env::var(name).unwrap_or_else(|_| format!("{home}/{default}"));
        env.push((name.to_string(), value));
    }
    if let Ok(t) = std::env::var("RUSTUP_TOOLCHAIN") {
        env.push(("RUSTUP_TOOLCHAIN".into(), t));
    }
    env
}

#[test]
fn the_rust_template_passes_with_a_shared_target_folder() {
    let p = Project::new();
    let contract = init(&p, "rust");
    p.file(
        "Cargo.toml",
        "[package]\nname = \"sizes\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    );
    p.file("src/lib.rs", "pub mod size;\n");
    p.file(
        "src/size.rs",
        "/// Parse \"512\", \"10KB\" or \"1.5 MiB\" into bytes.\n\
         pub fn parse_size(s: &str) -> Result<u64, String> {\n    \
         let s = s.trim();\n    \
         let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());\n    \
         let (n, unit) = s.split_at(split);\n    \
         let n: f64 = n.parse().map_err(|_| format!(\"bad number in {s:?}\"))?;\n    \
         let m: f64 = match unit.trim() {\n        \"\" | \"B\" => 1.0,\n        \"KB\" => 1e3,\n        \
         \"MB\" => 1e6,\n        \"KiB\" => 1024.0,\n        \"MiB\" => 1048576.0,\n        \
         u => return Err(format!(\"unknown unit {u:?}\")),\n    };\n    Ok((n * m) as u64)\n}\n\n\
         #[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn units() {\n        \
         assert_eq!(parse_size(\"10KB\"), Ok(10_000));\n        \
         assert_eq!(parse_size(\"1.5 MiB\"), Ok(1_572_864));\n        assert!(parse_size(\"x\").is_err());\n    }\n}\n",
    );
    // A target folder outside the root, as forge's own workspaces share the root's.
    let target = tempfile::tempdir().expect("target dir");
    let mut env = rust_env();
    env.push((
        "CARGO_TARGET_DIR".into(),
        target.path().display().to_string(),
    ));
    assert_check_passes(&p, &contract, &env);
    assert!(
        target.path().join("debug").is_dir(),
        "cargo built into the shared target"
    );
}
