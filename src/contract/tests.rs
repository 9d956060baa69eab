//! Unit tests of `load`: defaults, carried-over values, identity fields and the path helpers.

use super::*;
use std::path::PathBuf;
use std::time::Duration;

const MINIMAL: &str = "version: 1\nname: min\ntask: do it\nfiles: [src/a.py]\n\
                       validators:\n  - name: a\n    run: 'true'\n";

/// A contract file in a fresh folder with its own `.git`, so the root is that folder.
fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let path = dir.path().join("c.yaml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn defaults_are_filled_in() {
    let (dir, path) = write(MINIMAL);
    let c = load(&path, None).unwrap();
    assert_eq!(c.root, dir.path().canonicalize().unwrap());
    assert_eq!(c.description, None);
    assert!(c.context.is_empty());
    assert_eq!(c.threshold, 0.85);
    assert_eq!(c.limits, Limits::default());
    assert_eq!(c.limits.run_timeout, Duration::from_secs(1800));
    assert_eq!(c.llm, LlmSettings::default());
    assert!(!c.fallback.llm_review);
    assert_eq!(c.evidence.synthesis, Synthesis::Llm);
    let v = &c.validators[0];
    assert_eq!(v.kind, ValidatorKind::Custom);
    assert_eq!(v.weight, 1.0);
    assert!(!v.required);
    assert_eq!(v.timeout, Duration::from_secs(30));
    assert_eq!(v.parse, Parser::ExitCode);
}

#[test]
fn written_values_are_carried_over() {
    let text = format!(
        "{MINIMAL}    kind: type_check\n    weight: 2.5\n    required: true\n    timeout: 500ms\n\
         \x20   parse: junit:./out/report.xml\ncontext: ['./tests/*.py']\nthreshold: 1\n\
         limits: {{max_iterations: 4, stagnation: 2, token_budget: 9000, run_timeout: 2m}}\n\
         llm: {{provider: ollama, model: llama3, base_url: 'http://localhost:11434', \
         temperature: 0, max_output_tokens: 512}}\nfallback: {{llm_review: true}}\n\
         evidence: {{synthesis: off}}\n"
    );
    let (_dir, path) = write(&text);
    let c = load(&path, None).unwrap();
    let v = &c.validators[0];
    assert_eq!(v.kind, ValidatorKind::TypeCheck);
    assert_eq!(v.weight, 2.5);
    assert!(v.required);
    assert_eq!(v.timeout, Duration::from_millis(500));
    assert_eq!(v.parse, Parser::Junit("out/report.xml".into()));
    assert_eq!(c.context, vec!["tests/*.py".to_string()]);
    assert_eq!(c.threshold, 1.0);
    assert_eq!(
        c.limits,
        Limits {
            max_iterations: 4,
            stagnation: 2,
            token_budget: 9000,
            run_timeout: Duration::from_secs(120)
        }
    );
    assert_eq!(c.llm.provider, Some(ProviderKind::Ollama));
    assert_eq!(c.llm.model.as_deref(), Some("llama3"));
    assert_eq!(c.llm.temperature, Some(0.0));
    assert_eq!(c.llm.max_output_tokens, Some(512));
    assert!(c.fallback.llm_review);
    assert_eq!(c.evidence.synthesis, Synthesis::Off);
}

#[test]
fn path_is_absolute_and_sha256_is_of_the_bytes() {
    let (_dir, path) = write(MINIMAL);
    let c = load(&path, None).unwrap();
    assert!(c.path.is_absolute());
    assert_eq!(c.path, path.canonicalize().unwrap());
    assert_eq!(c.sha256, crate::sha::sha256_hex(MINIMAL.as_bytes()));
}

#[test]
fn root_flag_wins_over_root_key() {
    let (dir, path) = write(&format!("{MINIMAL}root: missing\n"));
    let other = tempfile::tempdir().unwrap();
    let c = load(&path, Some(other.path())).unwrap();
    assert_eq!(c.root, other.path().canonicalize().unwrap());
    let err = load(&path, None).unwrap_err();
    assert_eq!(err.diagnostics()[0].line, 8);
    drop(dir);
}

#[test]
fn edit_and_context_helpers_follow_the_globs() {
    let text = MINIMAL.replace("[src/a.py]", "[src/*.py, pkg/]") + "context: [docs/**]\n";
    let (_dir, path) = write(&text);
    let c = load(&path, None).unwrap();
    assert!(c.allows_edit(Path::new("src/a.py")));
    assert!(c.allows_edit(Path::new("pkg/deep/mod.py")));
    assert!(!c.allows_edit(Path::new("src/sub/a.py")));
    assert!(!c.allows_edit(Path::new("../src/a.py")));
    assert!(!c.allows_edit(Path::new("docs/x.md")));
    assert_eq!(c.context_globs(), ["docs/**".to_string()]);
    assert!(c.context_matcher().matches(Path::new("docs/a/x.md")));
}

#[test]
fn single_problem_renders_as_one_located_line() {
    let err = ContractError::Invalid {
        path: "c.yaml".into(),
        diagnostics: vec![Diagnostic {
            line: 3,
            column: 1,
            message: "unknown key `x`".into(),
            help: Some("did you mean `y`?".into()),
        }],
    };
    assert_eq!(
        err.to_string(),
        "c.yaml:3:1: unknown key `x`\n  help: did you mean `y`?"
    );
}
