//! `forge evidence verify`, `verify-chain` and `recheck`: what the reader trusts, and the report.
use crate::error::{Error, exit};
use crate::evidence::{self, EvidenceKey, Trust, input, signing_key};
use std::path::{Path, PathBuf};

/// The keys the reader trusts: their evidence key (if any) and the pinned public keys.
fn trust(key_file: Option<&Path>, public_keys: &[PathBuf]) -> Result<Trust, Error> {
    let public = public_keys
        .iter()
        .map(|p| signing_key::load_public(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Trust {
        hmac: EvidenceKey::for_verifying(key_file)?,
        public,
    })
}

pub fn verify(
    g: &super::Global,
    target: &str,
    key_file: Option<&Path>,
    public_keys: &[PathBuf],
    artifacts: Option<&Path>,
) -> Result<u8, Error> {
    let pack = super::evidence_cmd::resolve(g, target)?;
    if let Some(dir) = artifacts {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--artifacts {}: not a folder (expected the folder the pack's artifact paths are relative to)",
                dir.display()
            )));
        }
    }
    let trust = trust(key_file, public_keys)?;
    let bytes = input::read_regular(&pack, input::PACK_CAP).map_err(|e| {
        evidence::EvidenceError::Unreadable {
            path: pack.display().to_string(),
            message: e.to_string(),
        }
    })?;
    let report = evidence::verify(&bytes, &trust, artifacts);
    if g.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        println!("{json}");
    } else if !g.quiet {
        for c in &report.checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            println!("{mark} {}: {}", c.name, c.detail);
        }
        if report.valid {
            println!("{}: valid", pack.display());
        }
    }
    if !report.valid {
        let failed: Vec<String> = report
            .failures()
            .map(|c| format!("{} ({})", c.name, c.detail))
            .collect();
        let what = if report.unreadable {
            "unreadable"
        } else {
            "invalid"
        };
        eprintln!(
            "error: {} is {what}: failed check: {}",
            pack.display(),
            failed.join("; ")
        );
    }
    Ok(if report.valid {
        exit::OK
    } else if report.unreadable {
        exit::USAGE
    } else {
        exit::FAILED
    })
}

pub fn verify_chain(
    g: &super::Global,
    key_file: Option<&Path>,
    public_keys: &[PathBuf],
) -> Result<u8, Error> {
    use crate::evidence::chain;
    let trust = trust(key_file, public_keys)?;
    if trust.hmac.is_none() && trust.public.is_empty() {
        return Err(Error::Usage(format!(
            "verify-chain needs a key to trust: --public-key F (ed25519), or the evidence key (--key-file F or {})",
            crate::evidence::KEY_ENV_VAR
        )));
    }
    let root = super::runs::root_dir(g)?;
    let packs = chain::load_root(&root, &trust).map_err(|e| {
        Error::Usage(format!(
            "cannot read {}: {e}",
            crate::layout::runs_dir(&root).display()
        ))
    })?;
    // The history's ledger, when this root has one, also shows a deleted newest pack.
    let ledger = crate::history::History::open_read_only(&root)?.evidence_chain()?;
    let ledger = (!ledger.is_empty()).then_some(ledger);
    let report = chain::check(&packs, ledger.as_deref());
    if g.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        println!("{json}");
    } else if !g.quiet {
        for p in &report.problems {
            let kind = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            println!("FAIL {}: {kind}: {}", p.run_id, p.detail);
        }
        let head = report.head.as_ref().map_or_else(
            || "no single head".to_string(),
            |h| format!("head {} sha256 {}", h.run_id, h.sha256),
        );
        let unchained = match report.unchained {
            0 => String::new(),
            n => format!(" (and {n} older packs written before chaining, each verified)"),
        };
        let verdict = if report.intact { "intact" } else { "BROKEN" };
        println!(
            "chain of {} packs {verdict}; {head}{unchained}",
            report.length
        );
    }
    if !report.intact {
        eprintln!(
            "error: the evidence chain of {} is broken: {} problem(s)",
            root.display(),
            report.problems.len()
        );
    }
    Ok(super::pass_fail(report.intact))
}

pub fn recheck(g: &super::Global, target: &str) -> Result<u8, Error> {
    use crate::evidence::recheck::{self, RunRecord};
    let pack = super::evidence_cmd::resolve(g, target)?;
    let root = super::runs::root_dir(g)?;
    let record = RunRecord::open(&pack, &root)?;
    let report = super::runtime()?.block_on(async {
        let cancel = tokio_util::sync::CancellationToken::new();
        let on_interrupt = cancel.clone();
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.cancel();
            }
        });
        let report = recheck::recheck(&record, &cancel).await;
        watcher.abort();
        report
    })?;
    if g.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        println!("{json}");
    } else if !g.quiet {
        for c in &report.validators {
            let mark = if c.matches { "same   " } else { "DIFFERS" };
            let then = c
                .recorded
                .as_ref()
                .map_or_else(|| "no result in the pack".to_string(), words);
            println!(
                "{mark} {}: now {}; the pack says {then}",
                c.name,
                words(&c.now)
            );
        }
    }
    if report.matches {
        if !g.quiet && !g.json {
            println!(
                "run {}: every validator gives the recorded result",
                report.run_id
            );
        }
        return Ok(exit::OK);
    }
    let differ: Vec<&str> = report
        .validators
        .iter()
        .filter(|c| !c.matches)
        .map(|c| c.name.as_str())
        .collect();
    eprintln!(
        "error: run {}: validators that differ from the pack: {}",
        report.run_id,
        differ.join(", ")
    );
    Ok(exit::FAILED)
}

fn words(o: &crate::evidence::recheck::Outcome) -> String {
    let how = match (o.timed_out, o.exit_code) {
        (true, _) => "timed out".to_string(),
        (false, Some(c)) => format!("exit {c}"),
        (false, None) => "did not run".to_string(),
    };
    format!("{how}, score {:.2}", o.score)
}
