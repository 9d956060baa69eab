//! `forge init` through the real binary: each starter is written and lints clean, and an
//! existing contract is never overwritten.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

#[test]
fn each_template_writes_a_contract_that_lints_clean() {
    for template in ["python", "rust", "node", "shell"] {
        let p = Project::new();
        let name = format!("my-{template}");
        let out = p
            .forge(&["init", "--template", template, &name])
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        let rel = format!("contracts/{name}.yaml");
        assert!(
            stdout.contains(&format!("wrote {rel} ({template} starter)")),
            "{stdout}"
        );
        assert!(stdout.contains(&format!("forge check {rel}")), "{stdout}");
        let text = p.read(&rel);
        assert!(text.contains(&format!("\nname: {name}\n")), "{text}");
        assert!(!text.contains("{{"), "placeholder left in:\n{text}");

        let lint = p.forge(&["contract", "lint", &rel]).assert().success();
        let said = String::from_utf8_lossy(&lint.get_output().stdout).into_owned();
        // `root: ..` makes the folder holding contracts/ the root, wherever forge runs.
        let root = p.path().canonicalize().unwrap();
        assert!(
            said.contains(&format!("root {})", root.display())),
            "{said}"
        );
    }
}

#[test]
fn templates_use_their_ecosystem_parsers() {
    let p = Project::new();
    for (template, needle) in [
        ("python", "parse: unittest"),
        ("rust", "parse: cargo_test"),
        ("node", "parse: tap"),
        ("shell", "shellcheck"),
    ] {
        p.forge(&["init", "--template", template, template])
            .assert()
            .success();
        let text = p.read(&format!("contracts/{template}.yaml"));
        assert!(text.contains(needle), "{template}: {needle} missing");
    }
    assert!(p.read("contracts/rust.yaml").contains("cargo clippy"));
}

#[test]
fn default_is_a_python_contract_named_example() {
    let p = Project::new();
    p.forge(&["init"]).assert().success();
    let text = p.read("contracts/example.yaml");
    assert!(text.contains("\nname: example\n"));
    assert!(text.contains("python3 -m unittest"));
}

#[test]
fn an_existing_contract_is_never_overwritten() {
    let p = Project::new();
    p.file("contracts/example.yaml", "mine\n");
    let out = p.forge(&["init"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("contracts/example.yaml already exists; not overwriting it"),
        "{err}"
    );
    assert_eq!(p.read("contracts/example.yaml"), "mine\n");
}

#[test]
fn invalid_names_are_refused() {
    let p = Project::new();
    for bad in ["has space", "../up", "a/b", ".."] {
        let out = p.forge(&["init", bad]).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            err.contains(&format!("invalid contract name `{bad}`")),
            "{err}"
        );
    }
    assert!(!p.join("contracts").exists());
}

#[test]
fn root_flag_chooses_where_contracts_go() {
    let p = Project::new();
    std::fs::create_dir(p.join("ws")).unwrap();
    p.forge(&["--root", "ws", "init", "--template", "node", "web"])
        .assert()
        .success();
    assert!(p.join("ws/contracts/web.yaml").is_file());
    p.forge(&["--root", "ws", "contract", "lint", "ws/contracts/web.yaml"])
        .assert()
        .success();
}
