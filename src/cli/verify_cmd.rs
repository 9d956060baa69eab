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
    let mut report = evidence::verify(&bytes, &trust, artifacts);
    add_approval_checks(&mut report, &pack, &bytes, &trust);
    if g.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        super::output::out_line(&json)?;
    } else if !g.quiet {
        for c in &report.checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            super::output::out_line(&format!("{mark} {}: {}", c.name, c.detail))?;
        }
        if report.valid {
            super::output::out_line(&format!("{}: valid", pack.display()))?;
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
        super::output::err_line(&format!(
            "error: {} is {what}: failed check: {}",
            pack.display(),
            failed.join("; ")
        ));
    }
    Ok(if report.valid {
        exit::OK
    } else if report.unreadable {
        exit::USAGE
    } else {
        exit::FAILED
    })
}

/// When the pack's run holds an approval.json, its checks join the report (SPEC §12).
fn add_approval_checks(
    report: &mut evidence::VerifyReport,
    pack: &Path,
    bytes: &[u8],
    trust: &Trust,
) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let Ok(canonical) = evidence::canonical::signed_bytes(&value) else {
        return;
    };
    let sha = evidence::canonical::sha256_hex(&canonical);
    if let Some(checks) =
        evidence::approval::check(super::evidence_cmd::run_dir_of(pack), &sha, trust)
    {
        report.extend(checks);
    }
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
    let root = super::project::root(g)?;
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
        super::output::out_line(&json)?;
    } else if !g.quiet {
        for p in &report.problems {
            let kind = serde_json::to_value(p.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            super::output::out_line(&format!("FAIL {}: {kind}: {}", p.run_id, p.detail))?;
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
        super::output::out_line(&format!(
            "chain of {} packs {verdict}; {head}{unchained}",
            report.length
        ))?;
    }
    if !report.intact {
        super::output::err_line(&format!(
            "error: the evidence chain of {} is broken: {} problem(s)",
            root.display(),
            report.problems.len()
        ));
    }
    Ok(super::pass_fail(report.intact))
}

pub fn recheck(g: &super::Global, target: &str) -> Result<u8, Error> {
    use crate::evidence::recheck::{self, RunRecord};
    let pack = super::evidence_cmd::resolve(g, target)?;
    let root = super::project::root(g)?;
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
        super::output::out_line(&json)?;
    } else if !g.quiet {
        for c in &report.validators {
            let mark = if c.matches { "same   " } else { "DIFFERS" };
            let then = c
                .recorded
                .as_ref()
                .map_or_else(|| "no result in the pack".to_string(), words);
            super::output::out_line(&format!(
                "{mark} {}: now {}; the pack says {then}",
                c.name,
                words(&c.now)
            ))?;
        }
    }
    if report.matches {
        if !g.quiet && !g.json {
            super::output::out_line(&format!(
                "run {}: every validator gives the recorded result",
                report.run_id
            ))?;
        }
        return Ok(exit::OK);
    }
    let differ: Vec<&str> = report
        .validators
        .iter()
        .filter(|c| !c.matches)
        .map(|c| c.name.as_str())
        .collect();
    super::output::err_line(&format!(
        "error: run {}: validators that differ from the pack: {}",
        report.run_id,
        differ.join(", ")
    ));
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
