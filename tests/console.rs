//! What `converge` shows on a console (plain lines when stderr is not a terminal): which
//! validator is running, the synthesis call's tokens in the summary, and untrusted text
//! (validator names, provider messages) escaped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;
use support::fake_llm::{FakeLlm, Fault, Provider, Reply};

fn project(validators: &str, synthesis: &str) -> Project {
    let p = Project::new();
    p.file("a.txt", "todo\n");
    p.file(
        "c.yaml",
        &format!(
            "version: 1\nname: con\ntask: t\nfiles: [a.txt]\nroot: .\nthreshold: 1.0\nevidence:\n  synthesis: {synthesis}\nvalidators:\n{validators}"
        ),
    );
    p
}

fn converge(p: &Project, llm: &FakeLlm) -> (i32, String) {
    let out = p
        .command_with_llm(llm, &["converge", "c.yaml"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn each_validator_is_announced_when_it_starts_and_timed_when_it_ends() {
    let p = project(
        "  - name: quick\n    run: grep -q done a.txt\n  - name: slow-tests\n    run: sleep 0.3; grep -q done a.txt\n",
        "template",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("a.txt", "done\n")]);
    let (code, stderr) = converge(&p, &llm);
    assert_eq!(code, 0, "{stderr}");
    let started = stderr
        .find("iteration 1: running slow-tests")
        .expect(&stderr);
    let finished = stderr
        .lines()
        .position(|l| l.trim_start().starts_with("slow-tests"))
        .expect(&stderr);
    let started_line = stderr[..started].lines().count();
    assert!(
        started_line <= finished,
        "announced before its result:\n{stderr}"
    );
    assert!(stderr.contains("iteration 1: running quick"), "{stderr}");
}

#[test]
fn the_summary_says_how_many_tokens_the_synthesis_took() {
    let p = project("  - name: v\n    run: grep -q done a.txt\n", "llm");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("a.txt", "done\n")]);
    llm.push(
        Reply::text("{\"executive_summary\": \"It converged.\", \"key_findings\": []}")
            .usage(300, 40),
    );
    let (code, stderr) = converge(&p, &llm);
    assert_eq!(code, 0, "{stderr}");
    // 100 in + 50 out for the answer (the fake's default), 300 + 40 for the synthesis.
    assert!(
        stderr.contains("490 tokens (340 of them for the synthesis)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("synthesis: written by the model (300 in / 40 out tokens)"),
        "{stderr}"
    );
}

#[test]
fn validator_names_and_provider_messages_are_escaped_on_the_console() {
    let p = project(
        "  - name: \"te\\e]0;pwned\\asts\\u202E\"\n    run: grep -q done a.txt\n",
        "off",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("a.txt", "not yet\n")]);
    llm.push(Fault::status_with_body(
        400,
        "{\"error\":{\"message\":\"bad \\u001b[2J\\u009b31m request\",\"type\":\"invalid_request_error\"}}",
    ));
    let (code, stderr) = converge(&p, &llm);
    assert_eq!(code, 3, "{stderr}");
    for bad in ["\x1b", "\u{9b}", "\u{202e}", "\x07"] {
        assert!(
            !stderr.contains(bad),
            "{bad:?} reached the console:\n{stderr}"
        );
    }
    assert!(
        stderr.contains("bad \\x1b[2J\\u{9b}31m request"),
        "{stderr}"
    );
    assert!(
        stderr.contains("running te\\x1b]0;pwned\\x07sts\\u{202e}"),
        "{stderr}"
    );
}
