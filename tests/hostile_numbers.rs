//! Numbers from contracts are bounded at load, and a file-size limit (`ulimit -f`) is an error
//! forge reports rather than a signal that kills it without a word.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

fn contract(extra_limits: &str, validator_extra: &str) -> String {
    format!(
        "version: 1\nname: n\ntask: t\nfiles: [a.py]\nroot: .\n{extra_limits}validators:\n  - name: a\n    run: 'true'\n{validator_extra}  - name: b\n    run: 'false'\n"
    )
}

#[test]
fn absurd_numbers_are_refused_at_lint_and_check() {
    let cases = [
        ("", "    weight: 1e308\n", "weight 1e308 is too large"),
        ("", "    weight: .nan\n", "is not greater than 0"),
        ("", "    weight: .inf\n", "is too large"),
        ("", "    timeout: 500000000000y\n", "longer than a week"),
        ("limits:\n  run_timeout: 8d\n", "", "longer than a week"),
        ("threshold: .nan\n", "", "threshold NaN is out of range"),
        (
            "limits:\n  token_budget: 99999999999999999999\n",
            "",
            "wrong type",
        ),
        ("limits:\n  max_iterations: 0\n", "", "out of range"),
        (
            "llm:\n  temperature: .nan\n",
            "",
            "temperature NaN is out of range",
        ),
    ];
    for (top, validator, want) in cases {
        let p = Project::new();
        p.file("c.yaml", &contract(top, validator));
        for cmd in ["contract lint", "check"] {
            let mut args: Vec<&str> = cmd.split(' ').collect();
            args.push("c.yaml");
            let out = p.forge(&args).output().expect("forge");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{cmd} {top}{validator}: {stderr}"
            );
            assert!(stderr.contains(want), "{cmd} {top}{validator}: {stderr}");
        }
    }
}

#[test]
fn the_largest_allowed_numbers_still_load() {
    let p = Project::new();
    p.file(
        "c.yaml",
        &contract(
            "limits:\n  run_timeout: 7d\n  token_budget: 9223372036854775807\n",
            "    weight: 1000000\n    timeout: 168h\n",
        ),
    );
    p.forge(&["contract", "lint", "c.yaml"]).assert().success();
}

#[test]
fn a_file_size_limit_is_reported_not_a_silent_death() {
    let p = Project::new();
    // 1 KiB blocks: the schema is larger than one.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" contract schema > schema.json")
        .arg(assert_cmd::cargo::cargo_bin("forge"))
        .current_dir(p.path())
        .output()
        .expect("sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{:?}: {stderr}", out.status);
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
    assert!(stderr.contains("too large"), "{stderr}");
}
