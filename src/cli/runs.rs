//! `forge runs list|show`: the run history.
use super::args::RunsCommand;
use crate::error::Error;
use crate::evidence::synthesis::duration_words;
use crate::history::{History, RunDetail, RunStatus, RunSummary};
use std::path::PathBuf;

pub fn run(g: &super::Global, a: RunsCommand) -> Result<u8, Error> {
    let root = root_dir(g)?;
    let history = History::open_read_only(&root)?;
    match a {
        RunsCommand::List { limit, status } => {
            if let Some(s) = status.as_deref() {
                if RunStatus::parse(s).is_none() {
                    let known: Vec<&str> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
                    return Err(Error::Usage(format!(
                        "--status: unknown status `{s}`; expected one of: {}",
                        known.join(", ")
                    )));
                }
            }
            let runs = history.list_runs(limit, status.as_deref())?;
            if g.json {
                println!("{}", to_json(&runs)?);
            } else if runs.is_empty() {
                if !g.quiet {
                    println!("No runs recorded under {}.", root.display());
                }
            } else {
                print!("{}", list_table(&runs));
            }
        }
        RunsCommand::Show { run_id } => {
            let run = history.show_run(&run_id)?;
            if g.json {
                println!("{}", to_json(&run)?);
            } else {
                print!("{}", show_text(&run));
            }
        }
    }
    Ok(crate::error::exit::OK)
}

/// `--root`, else the current folder: runs and packs live under ROOT/.forge.
pub(super) fn root_dir(g: &super::Global) -> Result<PathBuf, Error> {
    match &g.root {
        Some(r) => Ok(r.clone()),
        None => std::env::current_dir()
            .map_err(|e| Error::Environment(format!("cannot read the current folder: {e}"))),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v)
        .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))
}

fn status_text(s: &RunSummary) -> String {
    if s.degraded {
        format!("{} (degraded)", s.status)
    } else {
        s.status.to_string()
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "-".to_string(), |s| format!("{s:.2}"))
}

fn list_table(runs: &[RunSummary]) -> String {
    let header = [
        "RUN ID", "CONTRACT", "STATUS", "SCORE", "ITER", "TOKENS", "STARTED",
    ];
    let rows: Vec<[String; 7]> = runs
        .iter()
        .map(|r| {
            [
                r.run_id.clone(),
                r.contract.clone(),
                status_text(r),
                score_text(r.score),
                r.iterations.to_string(),
                r.tokens.to_string(),
                r.started_at.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

fn show_text(run: &RunDetail) -> String {
    let s = &run.summary;
    let mut out = format!(
        "Run {}\n  contract    {} ({})\n  status      {}\n  score       {}\n  iterations  {}\n  tokens      {}\n  model       {} / {}\n  started     {}\n  finished    {}\n",
        s.run_id,
        s.contract,
        s.contract_path,
        status_text(s),
        score_text(s.score),
        s.iterations,
        s.tokens,
        s.provider,
        s.model,
        s.started_at,
        s.finished_at.as_deref().unwrap_or("-"),
    );
    if let Some(reason) = &s.reason {
        out.push_str(&format!("  reason      {reason}\n"));
    }
    if let Some(evidence) = &s.evidence {
        out.push_str(&format!("  evidence    {evidence}\n"));
    }
    for it in &run.iterations {
        out.push_str(&format!(
            "\nIteration {}  score {:.2}  tokens {} in / {} out  {}  edits {} applied, {} refused\n",
            it.n,
            it.score,
            it.input_tokens,
            it.output_tokens,
            duration_words(it.duration_ms),
            it.edits_applied,
            it.edits_refused
        ));
        let width = it
            .validators
            .iter()
            .map(|v| v.name.chars().count())
            .max()
            .unwrap_or(0);
        for v in &it.validators {
            let result = if v.skipped {
                "skipped".to_string()
            } else if v.timed_out {
                "timed out".to_string()
            } else {
                v.exit_code
                    .map_or_else(|| "killed".to_string(), |c| format!("exit {c}"))
            };
            out.push_str(&format!(
                "  {:<width$}  {:<11}  {:<9}  {:.2}  {}\n",
                v.name,
                v.kind.as_str(),
                result,
                v.score,
                duration_words(v.duration_ms)
            ));
        }
    }
    out
}
