//! The answer-shape corpus (tests/data/answers/): each shape is a model answer written the way a
//! peer project's tests document real models writing it, a small project, and the files a right
//! application leaves. Each runs through the real binary (`forge converge --replay <cassette
//! holding the answer> --max-iterations 1 --no-apply`) and is classified by what forge did:
//! applied right, refused and told the model, or wrong but reported applied (which must never
//! happen). `cargo test --test answers -- --nocapture` prints the table kept in BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::Project;

#[derive(serde::Deserialize)]
struct Shape {
    /// `applied` or `refused`: what forge must do with this answer.
    expect: String,
    #[serde(default)]
    crlf: bool,
    answer: String,
    files: BTreeMap<String, String>,
    want: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    AppliedRight,
    RefusedAndTold,
    WrongButApplied,
}

fn corpus() -> Vec<(String, Shape)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/answers");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read shape");
            let shape: Shape =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = p.file_stem().expect("name").to_string_lossy().into_owned();
            (name, shape)
        })
        .collect()
}

fn endings(s: &str, crlf: bool) -> String {
    if crlf {
        s.replace('\n', "\r\n")
    } else {
        s.to_string()
    }
}

/// The project for one shape: its files, the wanted files under `want/`, a check that compares
/// them byte for byte, and a one-exchange scripted cassette holding the answer.
fn project(shape: &Shape) -> Project {
    let p = Project::new();
    for (path, body) in &shape.files {
        p.file(path, &endings(body, shape.crlf));
    }
    let mut check = String::from("set -u\nst=0\n");
    for (path, body) in &shape.want {
        p.file(&format!("want/{path}"), &endings(body, shape.crlf));
        check.push_str(&format!(
            "cmp -s 'want/{path}' '{path}' || {{ diff -u 'want/{path}' '{path}'; st=1; }}\n"
        ));
    }
    check.push_str("exit $st\n");
    p.file("check.sh", &check);
    let files: String = shape
        .want
        .keys()
        .chain(shape.files.keys())
        .map(|f| format!("  - {f}\n"))
        .collect();
    p.file(
        "contract.yaml",
        &format!(
            "version: 1\nname: shape\ntask: Apply the change.\nfiles:\n{files}root: .\nvalidators:\n  - name: files\n    run: sh check.sh\n    required: true\n    timeout: 40s\nthreshold: 1.0\nevidence:\n  synthesis: template\n"
        ),
    );
    let line = serde_json::json!({ "response": shape.answer, "note": "scripted answer shape" });
    p.file("answer.jsonl", &format!("{line}\n"));
    p
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn run(shape: &Shape) -> (Outcome, String) {
    let p = project(shape);
    let out = p
        .forge(&[
            "converge",
            "contract.yaml",
            "--replay",
            "answer.jsonl",
            "--max-iterations",
            "1",
            "--no-apply",
        ])
        .output()
        .expect("run forge");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let list = p
        .forge(&["runs", "list", "--json"])
        .output()
        .expect("runs list");
    let runs = json(&list.stdout);
    let run = &runs.as_array().expect("runs")[0];
    let pack_path = PathBuf::from(run["evidence"].as_str().expect("evidence path"));
    let pack = json(&std::fs::read(&pack_path).expect("pack"));
    let edits = pack["raw_evidence"]["iterations"][0]["edits"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let refused: Vec<String> = edits
        .iter()
        .filter_map(|e| e["refused"].as_str().map(|r| format!("{}: {r}", e["path"])))
        .collect();
    let applied = edits.iter().filter(|e| e["refused"].is_null()).count();
    let outcome = if run["status"] == "converged" {
        Outcome::AppliedRight
    } else if !refused.is_empty() || applied == 0 {
        Outcome::RefusedAndTold
    } else {
        Outcome::WrongButApplied
    };
    let detail = format!(
        "status {} exit {:?}; refused {refused:?}; stderr: {}",
        run["status"],
        out.status.code(),
        stderr.lines().last().unwrap_or("")
    );
    (outcome, detail)
}

#[test]
fn every_answer_shape_is_applied_right_or_refused_and_never_wrong() {
    let shapes = corpus();
    assert!(shapes.len() >= 60, "the corpus has {} shapes", shapes.len());
    let results: Vec<(String, String, Outcome, String)> = std::thread::scope(|s| {
        let half = shapes.len().div_ceil(2);
        let workers: Vec<_> = shapes
            .chunks(half)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, shape)| {
                            let (o, d) = run(shape);
                            (name.clone(), shape.expect.clone(), o, d)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    let count = |o: Outcome| results.iter().filter(|r| r.2 == o).count();
    let (right, told, wrong) = (
        count(Outcome::AppliedRight),
        count(Outcome::RefusedAndTold),
        count(Outcome::WrongButApplied),
    );
    println!("| shape | expected | outcome |\n|---|---|---|");
    for (name, expect, o, _) in &results {
        println!("| {name} | {expect} | {o:?} |");
    }
    println!(
        "\n| shapes | applied right | refused and told | wrong but reported applied |\n|---|---|---|---|\n| {} | {right} ({:.1} %) | {told} | {wrong} |",
        results.len(),
        100.0 * right as f64 / results.len() as f64
    );
    let unexpected: Vec<String> = results
        .iter()
        .filter(|(_, expect, o, _)| {
            let want = if expect == "applied" {
                Outcome::AppliedRight
            } else {
                Outcome::RefusedAndTold
            };
            *o != want
        })
        .map(|(n, e, o, d)| format!("{n}: expected {e}, got {o:?} ({d})"))
        .collect();
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
    assert_eq!(wrong, 0);
    assert!(
        right * 10 >= results.len() * 9,
        "{right} of {}",
        results.len()
    );
}

#[test]
fn what_was_refused_or_missed_reaches_the_model_in_the_next_prompt() {
    use support::fake_llm::{FakeLlm, Provider, Reply};
    let calc = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
    let shape = Shape {
        expect: "applied".into(),
        crlf: false,
        answer: String::new(),
        files: BTreeMap::from([("calc.py".to_string(), calc.to_string())]),
        want: BTreeMap::from([("calc.py".to_string(), calc.replace("a - b", "a + b"))]),
    };
    let p = project(&shape);
    let llm = FakeLlm::start(Provider::Openai);
    // A block missing its REPLACE marker, then one whose SEARCH is misremembered.
    llm.push(Reply::text(
        "calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n\n\
<<<<<<< SEARCH\ndef mul(x, y):\n    return x * y\n=======\ndef mul(a, b):\n    return b * a\n>>>>>>> REPLACE\n",
    ));
    llm.push(Reply::text(
        "calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n",
    ));
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("run forge");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(p.read("calc.py"), calc.replace("a - b", "a + b"));
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    let system = reqs[0].body["messages"][0]["content"]
        .as_str()
        .unwrap_or("");
    for format in ["### FILE:", "<<<<<<< SEARCH", "```diff", "*** Begin Patch"] {
        assert!(
            system.contains(format),
            "the prompt shows {format}: {system}"
        );
    }
    let second = reqs[1].last_user_message();
    assert!(
        second.contains("has no `>>>>>>> REPLACE` line before the next block"),
        "{second}"
    );
    assert!(
        second.contains("An EDIT of `calc.py` was not applied"),
        "{second}"
    );
    assert!(second.contains("   5 | def mul(a, b):"), "{second}");
}
