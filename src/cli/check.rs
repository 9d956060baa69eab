//! `forge check`: run the validators once on the root as it is, and say whether it passes.

use super::args::CheckArgs;
use super::output::{out, out_line};
use crate::contract::Contract;
use crate::error::Error;
use crate::term::{safe_line, safe_text};
use crate::validate::{RoundScore, ValidatorResult, run_all, score_round};
use console::{Style, pad_str, style};
use tokio_util::sync::CancellationToken;

pub fn run(g: &super::Global, a: CheckArgs) -> Result<u8, Error> {
    let contract = crate::contract::load(&a.contract, g.root.as_deref())?;
    // On stderr even with --json: the spec fixes the JSON object's fields.
    for u in contract.unmatched_globs() {
        super::output::warn(g, &u.message());
    }
    let results = super::runtime()?.block_on(run_round(&contract))?;
    let round = score_round(&contract.validators, &results, contract.threshold);
    if !g.quiet {
        if g.json {
            out_line(&super::output::json(&json_report(
                &contract, &results, round,
            ))?)?;
        } else {
            out(&table(&contract, &results, round))?;
        }
    }
    Ok(super::pass_fail(round.converged))
}

/// One round in the root; Ctrl-C stops every validator's process group, which the terminal's
/// SIGINT does not reach because each runs in a group of its own.
async fn run_round(contract: &Contract) -> Result<Vec<ValidatorResult>, Error> {
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let results = run_all(&contract.validators, &contract.root, &cancel, &|_| {}).await;
    watcher.abort();
    Ok(results?)
}

fn json_report(
    contract: &Contract,
    results: &[ValidatorResult],
    round: RoundScore,
) -> serde_json::Value {
    let validators: Vec<_> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "kind": r.kind.as_str(),
                "exit_code": r.exit_code,
                "timed_out": r.timed_out,
                "duration_ms": r.duration_ms,
                "score": r.score,
            })
        })
        .collect();
    serde_json::json!({
        "score": round.score,
        "passed": round.converged,
        "threshold": contract.threshold,
        "validators": validators,
    })
}

fn verdict(r: &ValidatorResult) -> (&'static str, Style) {
    if r.timed_out {
        ("TIMEOUT", Style::new().yellow())
    } else if r.passed() {
        ("PASS", Style::new().green())
    } else {
        ("FAIL", Style::new().red())
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.2}s", ms as f64 / 1000.0)
}

/// The results table, the total against the threshold, then each failure's digest.
fn table(contract: &Contract, results: &[ValidatorResult], round: RoundScore) -> String {
    let header = ["validator", "kind", "result", "score", "time"];
    let rows: Vec<[String; 5]> = results
        .iter()
        .map(|r| {
            [
                safe_line(&r.name).into_owned(),
                r.kind.as_str().to_string(),
                verdict(r).0.to_string(),
                format!("{:.2}", r.score),
                seconds(r.duration_ms),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(console::measure_text_width(cell));
        }
    }
    let line = |cells: [String; 5], result_style: Option<Style>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let padded = pad_str(cell, widths[i], console::Alignment::Left, None).into_owned();
            let padded = match (&result_style, i) {
                (Some(s), 2) => s.apply_to(padded).to_string(),
                _ => padded,
            };
            if i > 0 {
                out.push_str("  ");
            }
            out.push_str(&padded);
        }
        format!("{}\n", out.trim_end())
    };
    let mut out = line(header.map(String::from), None);
    for (r, row) in results.iter().zip(rows) {
        out.push_str(&line(row, Some(verdict(r).1)));
    }
    out.push('\n');
    out.push_str(&summary(contract, results, round));
    for r in results.iter().filter(|r| !r.passed()) {
        out.push_str(&format!(
            "\n{} {}",
            style(safe_line(&r.name)).bold(),
            failure_cause(r)
        ));
        // The digest is the validator's own output: whatever the tool printed.
        for l in safe_text(&r.digest).lines() {
            out.push('\n');
            if !l.trim().is_empty() {
                out.push_str("    ");
                out.push_str(l.trim_end());
            }
        }
        out.push('\n');
    }
    out
}

fn summary(contract: &Contract, results: &[ValidatorResult], round: RoundScore) -> String {
    let outcome = if round.converged {
        style("PASS").green().bold()
    } else {
        style("FAIL").red().bold()
    };
    let mut out = format!(
        "score {:.2} (threshold {:.2}): {outcome}\n",
        round.score, contract.threshold
    );
    for v in contract.validators.iter().filter(|v| v.required) {
        if !results.iter().any(|r| r.name == v.name && r.passed()) {
            out.push_str(&format!(
                "required validator `{}` did not pass\n",
                safe_line(&v.name)
            ));
        }
    }
    out
}

fn failure_cause(r: &ValidatorResult) -> String {
    match (r.timed_out, r.exit_code) {
        (true, _) => "timed out:".to_string(),
        (false, Some(code)) => format!("failed (exit {code}):"),
        (false, None) => "did not run:".to_string(),
    }
}
