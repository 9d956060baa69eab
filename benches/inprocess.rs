//! `cargo bench --bench inprocess`: in-process figures with divan (median of many samples):
//! the failure digest on real captures, the synthesis prompt, the canonical bytes a pack is
//! signed over, and pricing a call.
//!
//! `cargo bench --bench inprocess -- --sample-count 1 --sample-size 1` is the smoke run CI does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forge::contract::ProviderKind;
use forge::evidence::EvidencePack;
use forge::llm::{PriceTable, Usage};
use std::hint::black_box;

fn main() {
    divan::main();
}

fn capture(name: &str) -> String {
    let path = format!("{}/tests/data/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn pack() -> EvidencePack {
    let path = format!(
        "{}/tests/data/evidence/pack.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).expect("pack")).expect("pack json")
}

/// The digest runs on every failed validator of every iteration.
#[divan::bench(args = ["pytest-300-params.txt", "cargo-test-failures.txt", "ruff-big.txt", "tsc-pretty.txt"])]
fn digest(bencher: divan::Bencher, name: &str) {
    let text = capture(name);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| forge::validate::digest(black_box(&text), 2_000));
}

#[divan::bench]
fn synthesis_prompt(bencher: divan::Bencher) {
    let raw = pack().raw_evidence;
    bencher.bench(|| forge::evidence::synthesis::prompt(black_box(&raw)));
}

#[divan::bench]
fn canonical_pack_bytes(bencher: divan::Bencher) {
    let p = serde_json::to_value(pack()).expect("pack value");
    bencher.bench(|| forge::evidence::canonical::signed_bytes(black_box(&p)));
}

#[divan::bench]
fn price_a_call(bencher: divan::Bencher) {
    let table = PriceTable::built_in();
    let usage = Usage {
        input: 12_000,
        output: 800,
        cached: 9_000,
        cache_written: 0,
        estimated: false,
    };
    bencher.bench(|| {
        table.cost(
            ProviderKind::Anthropic,
            black_box("claude-sonnet-4-5-20250929"),
            black_box(&usage),
        )
    });
}
