//! Untrusted text (tool output, validator names, contract values, packs, history rows) never
//! reaches the terminal raw: escapes, C1 controls and bidi overrides are shown, not obeyed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::evidence;
use support::Project;
use support::records::{iteration, new_run};

/// Characters a hostile model, tool or contract could plant.
const HOSTILE: [&str; 5] = ["\x1b", "\u{9b}", "\u{202e}", "\u{2067}", "\x07"];

fn assert_harmless(what: &str, text: &str) {
    for bad in HOSTILE {
        assert!(!text.contains(bad), "{what} printed {bad:?} raw:\n{text}");
    }
}

fn output(cmd: &mut assert_cmd::Command) -> (String, String) {
    let out = cmd.output().expect("run forge");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_escapes_validator_names_and_tool_output() {
    let p = Project::new();
    p.file(
        "c.yaml",
        concat!(
            "version: 1\nname: t\ntask: t\nfiles: [a.py]\nroot: .\nvalidators:\n",
            "  - name: \"evil\\u202Etxt.exe\\e]0;pwned\\a\"\n",
            "    run: printf '\\033]0;owned\\007\\033[2J\\302\\233Kgone\\342\\200\\256rtl\\n'; exit 1\n",
        ),
    );
    for json in [false, true] {
        let mut cmd = p.forge(&["check", "c.yaml"]);
        if json {
            cmd = p.forge(&["--json", "check", "c.yaml"]);
        }
        let (stdout, stderr) = output(&mut cmd);
        assert_harmless("check", &stdout);
        assert_harmless("check", &stderr);
        assert!(stdout.contains("evil"), "{stdout}");
        if json {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            // The escapes keep the value: a program still sees the name as written.
            assert_eq!(
                v["validators"][0]["name"],
                "evil\u{202e}txt.exe\x1b]0;pwned\x07"
            );
        } else {
            assert!(
                stdout.contains("evil\\u{202e}txt.exe\\x1b]0;pwned\\x07"),
                "{stdout}"
            );
            assert!(stdout.contains("gone\\u{202e}rtl"), "{stdout}");
        }
    }
}

#[test]
fn contract_errors_echo_bad_values_escaped() {
    let p = Project::new();
    p.file(
        "c.yaml",
        "version: 1\nname: \"bad\\e[31mname\\u202E\"\ntask: t\nfiles: [a.py]\nroot: .\nvalidators:\n  - name: v\n    run: 'true'\n    parse: \"py\\e]0;x\\atest\"\n",
    );
    let (stdout, stderr) = output(&mut p.forge(&["contract", "lint", "c.yaml"]));
    assert_harmless("lint", &stdout);
    assert_harmless("lint", &stderr);
    assert!(
        stderr.contains("invalid name `bad\\x1b[31mname\\u{202e}`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown parser `py\\x1b]0;x\\x07test`"),
        "{stderr}"
    );
}

#[test]
fn history_rows_are_escaped_in_runs_list_and_show() {
    let p = Project::new();
    let h = forge::history::History::open(p.path()).expect("history");
    let id = "01JHOSTILE0000000000000000";
    let mut run = new_run(id, "con\x1b[2Jtract", "2026-11-21T10:00:00.000Z");
    run.model = "gpt\u{202e}4o".into();
    h.start_run(&run).expect("start");
    let mut it = iteration(1, 0.5);
    it.validators[0].name = "te\u{9b}31msts".into();
    h.record_iteration(id, &it).expect("iteration");
    for args in [
        vec!["runs", "list"],
        vec!["runs", "show", id],
        vec!["--json", "runs", "show", id],
    ] {
        let (stdout, stderr) = output(&mut p.forge(&args));
        assert_harmless("runs", &stdout);
        assert_harmless("runs", &stderr);
        assert!(stdout.contains("con"), "{args:?}: {stdout}");
    }
    let (shown, _) = output(&mut p.forge(&["runs", "show", id]));
    assert!(shown.contains("te\\u{9b}31msts"), "{shown}");
    assert!(shown.contains("gpt\\u{202e}4o"), "{shown}");
}

#[test]
fn evidence_show_escapes_what_the_pack_holds() {
    let p = Project::new();
    let mut pack = support::records::sample_pack();
    let v = &mut pack.raw_evidence.iterations[0].validations[0];
    v.output_excerpt = "FAIL \x1b]8;;http://evil\x07click\x1b]8;;\x07 \u{9b}2J".into();
    pack.raw_evidence.iterations[0].edits[0].path = "src/\u{202e}yp.slug".into();
    pack.synthesis.executive_summary = "done\x1b[8m hidden".into();
    let written = evidence::write_pack(&p.join("run"), &pack).expect("write");
    let path = written.json.display().to_string();
    for json in [false, true] {
        let mut cmd = p.forge(&["evidence", "show", &path]);
        if json {
            cmd = p.forge(&["--json", "evidence", "show", &path]);
        }
        let (stdout, stderr) = output(&mut cmd);
        assert_harmless("evidence show", &stdout);
        assert_harmless("evidence show", &stderr);
        if json {
            let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
            assert_eq!(v["synthesis"]["executive_summary"], "done\x1b[8m hidden");
        } else {
            assert!(stdout.contains("\\u{202e}yp.slug"), "{stdout}");
        }
    }
}
