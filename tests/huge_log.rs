//! The failure digest keeps facts from anywhere in a huge log: a 1.5 MB pytest run with 3,001
//! failures whose one unique failure sits in the middle, far from the kept head and tail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

/// pytest's output for test_many.py: 1,500 failing `test_a[n]` (line 4), the unique
/// `test_unique` (line 7), then 1,500 failing `test_b[n]` (line 10), as pytest 9 prints it.
fn pytest_run() -> String {
    let mut out = String::from(
        "============================= test session starts ==============================\nplatform linux -- Python 3.11.7, pytest-9.2.0, pluggy-1.7.0\nrootdir: /tmp/pm\ncollected 3001 items\n\n",
    );
    out.push_str(&format!("test_many.py {} [100%]\n\n", "F".repeat(3001)));
    out.push_str(
        "=================================== FAILURES ===================================\n",
    );
    let param = |name: &str, n: usize, line: usize, out: &mut String| {
        out.push_str(&format!(
            "_________________________________ {name}[{n}] _________________________________\n\nn = {n}\n\n    @pytest.mark.parametrize(\"n\", range(1500))\n    def {name}(n):\n        \"\"\"Every n is checked against the lower bound.\"\"\"\n        assert isinstance(n, int), \"parametrize gives ints\"\n        low = min(range(1500))\n        assert low == 0, \"range starts at zero\"\n        expected = -1\n>       assert n < 0\nE       assert {n} < 0\n\ntest_many.py:{line}: AssertionError\n"
        ));
    };
    for n in 0..1500 {
        param("test_a", n, 4, &mut out);
    }
    out.push_str("_________________________________ test_unique __________________________________\n\n    def test_unique():\n        x = {\"k\": 1}\n>       assert x[\"k\"] == 2\nE       assert 1 == 2\n\ntest_many.py:7: AssertionError\n");
    for n in 0..1500 {
        param("test_b", n, 10, &mut out);
    }
    out.push_str(
        "=========================== short test summary info ============================\n",
    );
    for n in 0..1500 {
        out.push_str(&format!(
            "FAILED test_many.py::test_a[{n}] - assert {n} < 0\n"
        ));
    }
    out.push_str("FAILED test_many.py::test_unique - assert 1 == 2\n");
    for n in 0..1500 {
        out.push_str(&format!(
            "FAILED test_many.py::test_b[{n}] - assert {n} < 0\n"
        ));
    }
    out.push_str(
        "============================= 3001 failed in 1.52s =============================\n",
    );
    out
}

#[test]
fn a_unique_failure_in_the_middle_of_a_huge_log_reaches_the_digest() {
    let p = Project::new();
    let log = pytest_run();
    assert!(log.len() > 1_400_000, "{} bytes", log.len());
    let middle = log.find("test_many.py:7:").unwrap();
    assert!(
        middle > 200_000 && log.len() - middle > 200_000,
        "really in the middle"
    );
    p.file("pytest.log", &log);
    p.file(
        "c.yaml",
        "version: 1\nname: big\ntask: t\nfiles: [test_many.py]\nroot: .\nvalidators:\n  - name: tests\n    run: cat pytest.log; exit 1\n    parse: pytest\n",
    );
    let out = p.forge(&["check", "c.yaml"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("test_many.py:7: AssertionError"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAILED test_many.py::test_unique - assert 1 == 2"),
        "{stdout}"
    );
    assert!(stdout.contains("3001 failed"), "{stdout}");
    // The digest stays a digest: the repeats are folded, not listed.
    assert!(stdout.len() < 16_000, "{} bytes:\n{stdout}", stdout.len());
    assert!(!stdout.contains("test_b[700]"), "{stdout}");
}
