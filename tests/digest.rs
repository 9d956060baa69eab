//! The failure digest on real tool output captured under tests/data/captures/ (each made by
//! running the tool named above its test on a tiny broken project in /tmp), plus cap and fold
//! behaviour on synthetic input.
//!
//! Versions used for the captures: Python 3.11.7, pytest 9.2.0, ruff 0.17.6, flake8 7.5.0,
//! mypy 2.4.1, cargo/rustc/clippy 1.95.0, node v20.20.2, eslint 9.39.5, typescript 7.0.2,
//! go 1.19.8, ShellCheck 0.9.0, gcc 12.2.0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forge::llm::estimate_tokens;
use forge::validate::digest;

const CAP: usize = 2000;

fn capture(name: &str) -> String {
    let path = format!("{}/tests/data/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The digest of a capture at the default cap, checked for what must never survive.
fn digest_of(name: &str) -> String {
    let raw = capture(name);
    let d = digest(&raw, CAP);
    assert!(estimate_tokens(&d) <= CAP as u64, "{name}: over the cap");
    assert!(!d.contains('\u{1b}'), "{name}: ANSI escape left in\n{d}");
    assert!(!d.contains('\r'), "{name}: carriage return left in\n{d}");
    d
}

fn has_all(d: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(d.contains(w), "digest lacks {w:?}:\n{d}");
    }
}

fn has_none(d: &str, unwanted: &[&str]) {
    for u in unwanted {
        assert!(!d.contains(u), "digest should not contain {u:?}:\n{d}");
    }
}

// python3 -m unittest discover -s tests -t .
#[test]
fn unittest_failures_keep_names_assertions_and_locations() {
    let d = digest_of("unittest-failures.txt");
    has_all(
        &d,
        &[
            "Ran 5 tests: FAILED (failures=2, errors=1)",
            "FAIL: test_add (tests.test_slug.SlugTest.test_add)",
            "AssertionError: '3' != 3",
            "FAIL: test_spaces",
            "AssertionError: 'hello_world' != 'hello-world'",
            "ERROR: test_error",
            "ValueError: boom: bad input",
            "tests/test_slug.py\", line 10, in test_add",
        ],
    );
    has_none(&d, &["0.001s", "=====", "-----", "FE..F", "Traceback"]);
}

// python3 -m unittest discover -s tests -t . -v
#[test]
fn unittest_verbose_drops_passed_tests() {
    let d = digest_of("unittest-verbose.txt");
    has_all(
        &d,
        &[
            "FAIL: test_add",
            "ERROR: test_error",
            "AssertionError: '3' != 3",
        ],
    );
    has_none(&d, &["test_lower", "test_ok2", "... ok"]);
}

// python3 -m pytest test_pt.py
#[test]
fn pytest_failures_keep_assertion_rewriting_and_short_summary_is_not_repeated() {
    let d = digest_of("pytest-failures.txt");
    has_all(
        &d,
        &[
            "5 failed, 3 passed",
            "FAILED test_spaces",
            "E       AssertionError: assert 'hello_world' == 'hello-world'",
            "test_pt.py:5: AssertionError",
            "E       AssertionError: assert '3' == 3",
            "{'b': 2} != {'b': 3}",
            "E       KeyError: 'missing-key'",
            "FAILED test_param[3]",
            "E       assert 3 < 3",
        ],
    );
    has_none(
        &d,
        &[
            "platform linux",
            "rootdir",
            "collected 8 items",
            "[100%]",
            "0.03s",
            "test_pass",
            "short test summary",
        ],
    );
    assert_eq!(
        d.matches("KeyError: 'missing-key'").count(),
        1,
        "short summary repeated a block:\n{d}"
    );
}

// python3 -m pytest test_pt.py -q --color=yes
#[test]
fn pytest_quiet_with_colour_is_stripped_and_parsed() {
    let d = digest_of("pytest-quiet-color.txt");
    has_all(
        &d,
        &[
            "5 failed, 3 passed",
            "FAILED test_dict",
            "E       assert 3 < 3",
            "test_pt.py:21: AssertionError",
        ],
    );
    has_none(&d, &["[31m", "0.06s", "[100%]"]);
}

// python3 -m pytest test_big.py   (300 failing parametrised tests: assert n == n + 1)
#[test]
fn pytest_300_failures_fold_to_the_first_few_and_a_count() {
    let raw = capture("pytest-300-params.txt");
    let d = digest_of("pytest-300-params.txt");
    assert!(
        d.len() * 50 < raw.len(),
        "{} of {} bytes",
        d.len(),
        raw.len()
    );
    has_all(
        &d,
        &[
            "300 failed",
            "FAILED test_value[0]",
            "E       assert 0 == 1",
            "test_big.py:6: AssertionError",
            "FAILED test_value[2]",
            "… and 297 more like this: test_value[3], test_value[4]",
        ],
    );
    has_none(&d, &["test_value[299]", "FFFF", "0.47s"]);
}

// python3 /tmp/dg/app.py   (200 log lines, then an uncaught KeyError)
#[test]
fn crashed_python_script_keeps_the_traceback_not_the_logs() {
    let d = digest_of("python-script-crash.txt");
    has_all(
        &d,
        &[
            "KeyError: 'port'",
            "app.py\", line 6, in load",
            "return cfg[\"port\"]",
        ],
    );
    has_none(&d, &["processed record"]);
}

// cargo test --color=never   (RUST_BACKTRACE set in the environment)
#[test]
fn cargo_test_keeps_panics_and_left_right_without_backtraces() {
    let d = digest_of("cargo-test-failures.txt");
    has_all(
        &d,
        &[
            "test result: FAILED. 1 passed; 3 failed",
            "FAILED tests::adds",
            "panicked at src/lib.rs:15:9:",
            "left: 0",
            "right: 4",
            "right: \"Hello, Bob!\"",
            "FAILED tests::explodes",
            "index out of bounds: the len is 0 but the index is 3",
        ],
    );
    has_none(
        &d,
        &[
            "stack backtrace",
            "rust_begin_unwind",
            "tests::fine",
            "0.15s",
            "Running unittests",
        ],
    );
}

// cargo test --color=always
#[test]
fn cargo_test_in_colour_matches_the_plain_digest() {
    let coloured = digest_of("cargo-test-color.txt");
    has_all(
        &coloured,
        &[
            "FAILED tests::greets",
            "left: \"Hello Bob\"",
            "panicked at src/lib.rs:20:9:",
        ],
    );
    has_none(&coloured, &["Compiling", "Finished"]);
}

// cargo build --color=never   (mismatched types ×3, unresolved function)
#[test]
fn cargo_build_keeps_each_error_with_location_and_caret() {
    let d = digest_of("cargo-build-errors.txt");
    has_all(
        &d,
        &[
            "error[E0308]: mismatched types",
            " --> src/lib.rs:2:22",
            "^^^^^^^^^^^ expected `u32`, found `usize`",
            "--> src/lib.rs:7:5",
            "error[E0425]: cannot find function `undefined_fn` in this scope",
            "--> src/lib.rs:12:5",
            "error: could not compile `buildbroke`",
        ],
    );
    has_none(&d, &["Compiling", "rustc --explain", "try_into().unwrap()"]);
    let first = d.find("error[E0308]").unwrap_or(usize::MAX);
    assert!(
        first < d.find("error[E0425]").unwrap_or(0),
        "first error must lead:\n{d}"
    );
}

// script -qec "cargo build" /dev/null   (a pseudo-terminal: colour and CRLF line ends)
#[test]
fn cargo_build_on_a_terminal_digests_like_the_plain_build() {
    assert_eq!(
        digest_of("cargo-build-tty.txt"),
        digest_of("cargo-build-errors.txt")
    );
}

// cargo clippy --color=always -- -D warnings
#[test]
fn clippy_keeps_lints_and_drops_boilerplate_notes() {
    let d = digest_of("clippy-color.txt");
    has_all(
        &d,
        &[
            "error: unneeded `return` statement",
            "--> src/lib.rs:9:5",
            "error: length comparison to zero",
            "error: the loop variable `i` is only used to index `v`",
            "--> src/lib.rs:13:8",
        ],
    );
    has_none(
        &d,
        &[
            "for further information visit",
            "implied by `-D warnings`",
            "to override",
            "Checking",
        ],
    );
}

// ruff check --no-cache bad.py   (default "full" format)
#[test]
fn ruff_full_format_keeps_rule_message_and_location() {
    let d = digest_of("ruff-full.txt");
    has_all(
        &d,
        &[
            "Found 9 errors.",
            "F401 [*] `os` imported but unused",
            "--> bad.py:1:8",
            "F821 Undefined name `undefined_name`",
            "--> bad.py:10:9",
            "E722 Do not use bare `except`",
        ],
    );
    has_none(&d, &["fixable with `--fix`"]);
}

// ruff check --no-cache --output-format=concise bad.py
#[test]
fn ruff_concise_lines_are_kept() {
    let d = digest_of("ruff-concise.txt");
    has_all(
        &d,
        &[
            "bad.py:10:9: F821 Undefined name `undefined_name`",
            "bad.py:18:9: E722 Do not use bare `except`",
        ],
    );
    has_none(&d, &["fixable"]);
}

// ruff check --no-cache --output-format=concise gen.py   (400 unused imports, 300 unused locals)
#[test]
fn ruff_many_violations_fold_by_rule() {
    let d = digest_of("ruff-big.txt");
    has_all(
        &d,
        &[
            "gen.py:1:8: F401 [*] `mod0` imported but unused",
            "… and 397 more like this",
            "… and 297 more like this",
        ],
    );
    has_none(&d, &["mod399"]);
}

// flake8 bad.py
#[test]
fn flake8_lines_are_kept() {
    let d = digest_of("flake8-small.txt");
    has_all(
        &d,
        &[
            "bad.py:8:10: E711 comparison to None should be 'if cond is None:'",
            "bad.py:10:9: F821",
        ],
    );
}

// flake8 gen.py   (1300 violations of four rules, 68 KB)
#[test]
fn flake8_large_output_stays_under_the_cap_with_first_hits_and_counts() {
    let d = digest_of("flake8-big.txt");
    has_all(
        &d,
        &[
            "gen.py:1:1: F401 'mod0' imported but unused",
            "gen.py:3:1: F401 'mod2' imported but unused",
            "… and 397 more like this: gen.py:4:1",
            "gen.py:401:1: E302 expected 2 blank lines, found 0",
            "gen.py:402:13: W291 trailing whitespace",
        ],
    );
    has_none(&d, &["mod3'"]);
    let small = digest(&capture("flake8-big.txt"), 100);
    assert!(estimate_tokens(&small) <= 100);
    has_all(&small, &["gen.py:1:1: F401", "[digest truncated: "]);
}

// mypy m2.py slug.py
#[test]
fn mypy_keeps_errors_with_codes() {
    let d = digest_of("mypy-errors.txt");
    has_all(
        &d,
        &[
            "Found 5 errors in 2 files",
            "m2.py:5: error: Incompatible types in assignment (expression has type \"int\", variable has type \"str\")  [assignment]",
            "m2.py:7: error: \"int\" has no attribute \"nope\"  [attr-defined]",
        ],
    );
}

// mypy --strict --pretty slug.py
#[test]
fn mypy_pretty_keeps_the_code_line_and_wrapped_rule() {
    let d = digest_of("mypy-pretty.txt");
    has_all(
        &d,
        &[
            "slug.py:2: error: Function is missing a type annotation",
            "    def slugify(text):",
            "[return-value]",
            "return str(a + b)",
        ],
    );
}

// ./node_modules/.bin/eslint src   (eslint 9 flat config, stylish formatter)
#[test]
fn eslint_stylish_messages_get_their_file_and_rule() {
    let d = digest_of("eslint-stylish.txt");
    has_all(
        &d,
        &[
            "✖ 8 problems (7 errors, 1 warning)",
            "/tmp/dg/js/src/app.js:1:7: error 'fs' is assigned a value but never used (no-unused-vars)",
            "/tmp/dg/js/src/util.js:3:9: error Expected '===' and instead saw '==' (eqeqeq)",
            "/tmp/dg/js/src/app.js:4:5: warning Unexpected console statement (no-console)",
        ],
    );
    assert!(
        d.find("app.js:6:10").unwrap_or(usize::MAX) < d.find("app.js:4:5").unwrap_or(0),
        "errors before warnings:\n{d}"
    );
}

// ./node_modules/.bin/eslint --color src
#[test]
fn eslint_in_colour_matches_the_plain_digest() {
    assert_eq!(
        digest_of("eslint-stylish-color.txt"),
        digest_of("eslint-stylish.txt")
    );
}

// ./node_modules/.bin/tsc -p .
#[test]
fn tsc_plain_keeps_codes_and_positions() {
    let d = digest_of("tsc-plain.txt");
    has_all(
        &d,
        &[
            "ts/a.ts(4,7): error TS2322: Type 'string' is not assignable to type 'number'.",
            "ts/a.ts(8,15): error TS2339: Property 'email' does not exist on type 'User'.",
        ],
    );
}

// ./node_modules/.bin/tsc -p . --pretty
#[test]
fn tsc_pretty_keeps_the_snippet_and_squiggle() {
    let d = digest_of("tsc-pretty.txt");
    has_all(
        &d,
        &[
            "ts/a.ts:4:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
            "4 const n: number = \"five\";",
            "ts/a.ts:7:7 - error TS2741",
            "Found 4 errors in the same file",
        ],
    );
}

// node --test --test-reporter=spec
#[test]
fn node_test_spec_keeps_failures_once_with_actual_and_expected() {
    let d = digest_of("node-test-spec.txt");
    has_all(
        &d,
        &[
            "tests 5, pass 2, fail 3",
            "✖ adds numbers",
            "-1 !== 5",
            "actual: -1,",
            "expected: 5,",
            "math.test.js:7:10",
            "✖ deep equal",
            "expected: { a: 1, b: [ 1, 3 ] },",
            "✖ throws",
            "TypeError [Error]: cannot read foo of undefined",
        ],
    );
    has_none(
        &d,
        &[
            "passes fine",
            "ok too",
            "duration_ms",
            "node:internal",
            "ms)",
            "generatedMessage",
            "✖ objects",
        ],
    );
    assert_eq!(
        d.matches("✖ adds numbers").count(),
        1,
        "failures repeated:\n{d}"
    );
}

// node --test --test-reporter=tap
#[test]
fn node_test_tap_keeps_not_ok_with_error_and_values() {
    let d = digest_of("node-test-tap.txt");
    has_all(
        &d,
        &[
            "tests 5, pass 2, fail 3",
            "not ok - adds numbers",
            "location: '/tmp/dg/nt/math.test.js:6:1'",
            "-1 !== 5",
            "expected: 5",
            "actual: -1",
            "not ok - deep equal",
            "not ok - throws",
            "cannot read foo of undefined",
        ],
    );
    has_none(
        &d,
        &[
            "passes fine",
            "duration_ms",
            "stack:",
            "not ok - objects",
            "node:internal",
        ],
    );
}

// go test ./...
#[test]
fn go_test_keeps_failing_subtests_messages_and_panic_site() {
    let d = digest_of("go-test-failures.txt");
    has_all(
        &d,
        &[
            "FAIL example.com/calc",
            "--- FAIL: TestAdd",
            "calc_test.go:7: Add(2, 3) = -1; want 5",
            "--- FAIL: TestReverse/abc",
            "calc_test.go:16: got \"ab\", want \"ba\"",
            "panic: assignment to entry in nil map",
            "at /tmp/dg/go/calc_test.go:26",
        ],
    );
    has_none(
        &d,
        &[
            "0.004s",
            "(0.00s)",
            "goroutine",
            "testing.go",
            "--- FAIL: TestReverse\n",
        ],
    );
}

// go test -v ./...
#[test]
fn go_test_verbose_attributes_logs_and_drops_passes() {
    let d = digest_of("go-test-verbose.txt");
    has_all(
        &d,
        &[
            "--- FAIL: TestReverse/ab\n    calc_test.go:16: got \"ab\", want \"ba\"",
            "--- FAIL: TestAdd",
        ],
    );
    has_none(&d, &["=== RUN", "PASS", "TestOK", "#00"]);
}

// go test ./...   (compile error in the package)
#[test]
fn go_build_failure_keeps_compiler_errors() {
    let d = digest_of("go-test-build-failed.txt");
    has_all(
        &d,
        &[
            "./b.go:4:17: cannot use n / 2 (value of type int) as type string in variable declaration",
            "FAIL example.com/broke [build failed]",
        ],
    );
}

// shellcheck deploy.sh
#[test]
fn shellcheck_blocks_become_located_findings() {
    let d = digest_of("shellcheck-tty.txt");
    has_all(
        &d,
        &[
            "deploy.sh:2: SC2045 (error): Iterating over ls output is fragile. Use globs.",
            "for f in $(ls *.txt); do",
            "deploy.sh:5: SC2164 (warning)",
            "did you mean: echo \"$f\"",
        ],
    );
    has_none(&d, &["shellcheck.net/wiki", "^--"]);
    assert!(
        d.find("SC2045").unwrap_or(usize::MAX) < d.find("SC2086").unwrap_or(0),
        "errors first:\n{d}"
    );
}

// shellcheck -f gcc deploy.sh
#[test]
fn shellcheck_gcc_format_is_parsed_as_lint_lines() {
    let d = digest_of("shellcheck-gcc.txt");
    has_all(
        &d,
        &["deploy.sh:2:10: error: Iterating over ls output is fragile. Use globs. [SC2045]"],
    );
}

// gcc -Wall -o m m.c
#[test]
fn gcc_errors_lead_and_keep_their_source_line() {
    let d = digest_of("gcc-errors.txt");
    has_all(
        &d,
        &[
            "m.c:4:18: error: ‘y’ undeclared (first use in this function)",
            "printf(\"%d\\n\", y);",
            "m.c:5:11: error: expected ‘;’",
        ],
    );
    assert!(d.starts_with("m.c:4:18: error"), "first error leads:\n{d}");
}

#[test]
fn unknown_tool_gets_first_error_block_and_tail() {
    let mut out = String::from("\u{1b}[32mstarting job\u{1b}[0m\n");
    for i in 0..500 {
        out.push_str(&format!("[{:>3}%] step {i} done\r", i / 5));
    }
    out.push('\n');
    out.push_str(
        "connecting to db\nFATAL: role \"app\" does not exist\n  hint: create it first\n\n",
    );
    for i in 0..300 {
        out.push_str(&format!("retrying {i}\n"));
    }
    out.push_str("gave up after 300 retries\n");
    let d = digest(&out, CAP);
    has_all(
        &d,
        &[
            "connecting to db\nFATAL: role \"app\" does not exist\n  hint: create it first",
            "gave up after 300 retries",
            "retrying 299",
        ],
    );
    has_none(&d, &["retrying 100", "step", "\u{1b}"]);
}

#[test]
fn empty_output_says_so() {
    assert_eq!(digest("", CAP), "(no output)");
    assert_eq!(digest("\u{1b}[0m\n\n", CAP), "(no output)");
}

#[test]
fn cap_is_never_exceeded_and_cuts_at_item_boundaries() {
    let out: String = (0..500)
        .map(|i| format!("src/m{i}.py:{i}:1: E{i:03} distinct problem number {i} in module m{i}\n"))
        .collect();
    for cap in [0, 1, 5, 20, 100, 300, 2000] {
        let d = digest(&out, cap);
        assert!(
            estimate_tokens(&d) <= cap as u64,
            "cap {cap}: {} tokens",
            estimate_tokens(&d)
        );
    }
    let d = digest(&out, 300);
    let shown = d.lines().filter(|l| l.starts_with("src/m")).count();
    assert!(shown > 10, "{d}");
    assert!(
        d.lines()
            .filter(|l| l.starts_with("src/m"))
            .all(|l| l.ends_with(&format!("in module m{}", &l[5..l.find('.').unwrap_or(5)])))
    );
    assert!(
        d.ends_with(&format!("[digest truncated: {} more items]", 500 - shown)),
        "{d}"
    );
}

#[test]
fn repeats_fold_by_message_shape_when_there_is_no_rule() {
    let out: String = (0..40)
        .map(|i| format!("lib/a.go:{i}:2: undefined: helper{i}\n"))
        .collect();
    let d = digest(&out, CAP);
    has_all(
        &d,
        &[
            "lib/a.go:0:2: undefined: helper0",
            "lib/a.go:2:2: undefined: helper2",
            "… and 37 more like this: lib/a.go:3:2",
        ],
    );
    has_none(&d, &["helper3\n"]);
}

#[test]
fn huge_single_line_is_clipped() {
    let out = format!("app.js:1:1: error {}\n", "x".repeat(5_000_000));
    let d = digest(&out, CAP);
    assert!(d.len() < 400, "{} bytes", d.len());
    assert!(d.starts_with("app.js:1:1: error xxx"));
}

#[test]
fn truncated_and_interleaved_captures_never_break_the_cap() {
    let mut names: Vec<_> = std::fs::read_dir(format!(
        "{}/tests/data/captures",
        env!("CARGO_MANIFEST_DIR")
    ))
    .map(|dir| {
        dir.filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    })
    .unwrap_or_default();
    names.sort();
    assert!(names.len() >= 25, "captures missing: {names:?}");
    let all: String = names.iter().map(|n| capture(n)).collect();
    for name in &names {
        let raw = capture(name);
        for cut in (0..raw.len()).step_by(raw.len() / 40 + 1) {
            let cut = (cut..raw.len())
                .find(|&c| raw.is_char_boundary(c))
                .unwrap_or(raw.len());
            let d = digest(&raw[..cut], 200);
            assert!(estimate_tokens(&d) <= 200, "{name} cut at {cut}");
        }
    }
    let d = digest(&all, CAP);
    assert!(estimate_tokens(&d) <= CAP as u64);
    has_all(
        &d,
        &["error[E0308]: mismatched types", "FAILED tests::adds"],
    );
}
