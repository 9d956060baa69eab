//! The hash chain of a root's packs (SPEC §9): each pack names the pack finished before it
//! (`metadata.previous` = `{run_id, sha256}`), and `verify-chain` names any pack that is
//! missing, reordered or altered.

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

pub use super::PackLink as Link;

/// What a pack says came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// No `previous` field: written before forge chained its packs.
    Unchained,
    /// `previous: null`: the first pack of the root's chain.
    First,
    After(Link),
}

impl Previous {
    /// Read `metadata.previous` from a pack's JSON; None when it is there but malformed.
    pub fn of(pack: &Value) -> Option<Previous> {
        let Some(meta) = pack.get("metadata") else {
            return Some(Previous::Unchained);
        };
        match meta.get("previous") {
            None => Some(Previous::Unchained),
            Some(Value::Null) => Some(Previous::First),
            Some(v) => serde_json::from_value::<Link>(v.clone())
                .ok()
                .map(Previous::After),
        }
    }
}

/// One pack found in the root, as verify saw it.
#[derive(Debug, Clone)]
pub struct ChainPack {
    /// The run folder's name.
    pub run_id: String,
    /// The canonical content's sha256, as computed now.
    pub sha256: String,
    pub previous: Previous,
    pub finished_at: String,
    /// Why the pack itself does not verify, if it does not.
    pub invalid: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    Missing,
    Reordered,
    Altered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub run_id: String,
    pub kind: ProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    pub intact: bool,
    /// Packs in the chain (those with a `previous` field).
    pub length: usize,
    /// Packs written before chaining, checked one by one only.
    pub unchained: usize,
    /// The last pack of the chain: the value to anchor (e.g. in a git tag).
    pub head: Option<Link>,
    pub problems: Vec<Problem>,
}

/// Check the links between `packs`. `ledger`, when the history keeps one, is the chain in the
/// order it was assigned; it makes a deleted newest pack and a reordering visible.
pub fn check(packs: &[ChainPack], ledger: Option<&[Link]>) -> ChainReport {
    let mut problems = Vec::new();
    let mut problem = |run_id: &str, kind, detail: String| {
        problems.push(Problem {
            run_id: run_id.to_string(),
            kind,
            detail,
        })
    };
    let by_id: HashMap<&str, &ChainPack> = packs.iter().map(|p| (p.run_id.as_str(), p)).collect();
    for p in packs {
        if let Some(why) = &p.invalid {
            problem(&p.run_id, ProblemKind::Altered, why.clone());
        }
    }
    let chained: Vec<&ChainPack> = packs
        .iter()
        .filter(|p| p.previous != Previous::Unchained)
        .collect();

    // Links: every named predecessor exists with the content it had when it was named.
    let mut followers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut firsts = Vec::new();
    for p in &chained {
        match &p.previous {
            Previous::After(link) => {
                followers
                    .entry(link.run_id.as_str())
                    .or_default()
                    .push(&p.run_id);
                match by_id.get(link.run_id.as_str()) {
                    None => problem(
                        &link.run_id,
                        ProblemKind::Missing,
                        format!("its pack is gone; {} names it as the pack before", p.run_id),
                    ),
                    Some(prev) if prev.sha256 != link.sha256 => problem(
                        &link.run_id,
                        ProblemKind::Altered,
                        format!(
                            "it hashes to {} now, but {} was chained to {}",
                            super::verify::short(&prev.sha256),
                            p.run_id,
                            super::verify::short(&link.sha256)
                        ),
                    ),
                    Some(_) => {}
                }
            }
            Previous::First => firsts.push(p.run_id.as_str()),
            Previous::Unchained => {}
        }
    }
    for (prev, next) in &followers {
        if next.len() > 1 {
            problem(
                prev,
                ProblemKind::Reordered,
                format!(
                    "{} packs claim to follow it: {}",
                    next.len(),
                    next.join(", ")
                ),
            );
        }
    }
    if firsts.len() > 1 {
        problem(
            firsts[1],
            ProblemKind::Reordered,
            format!(
                "{} packs claim to start the chain: {}",
                firsts.len(),
                firsts.join(", ")
            ),
        );
    }

    let heads: Vec<&&ChainPack> = chained
        .iter()
        .filter(|p| !followers.contains_key(p.run_id.as_str()))
        .collect();
    match ledger {
        Some(ledger) => check_ledger(ledger, &by_id, &chained, &mut problem),
        None => {
            // Without the history's ledger, finishing times are the only order to compare with.
            for p in &chained {
                if let Previous::After(link) = &p.previous {
                    if let Some(prev) = by_id.get(link.run_id.as_str()) {
                        if p.finished_at < prev.finished_at {
                            problem(
                                &p.run_id,
                                ProblemKind::Reordered,
                                format!(
                                    "it is chained after {} but finished before it ({} < {})",
                                    prev.run_id, p.finished_at, prev.finished_at
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    let head = match ledger {
        Some(l) => l.last().cloned(),
        None if heads.len() == 1 => Some(Link {
            run_id: heads[0].run_id.clone(),
            sha256: heads[0].sha256.clone(),
        }),
        None => None,
    };
    // One line per pack and kind: the link check and the ledger may both see the same fact.
    problems.sort_by(|a, b| (&a.run_id, a.kind).cmp(&(&b.run_id, b.kind)));
    problems.dedup_by(|later, first| {
        let same = later.run_id == first.run_id && later.kind == first.kind;
        if same && !first.detail.contains(&later.detail) {
            first.detail = format!("{}; {}", first.detail, later.detail);
        }
        same
    });
    ChainReport {
        intact: problems.is_empty(),
        length: chained.len(),
        unchained: packs.len() - chained.len(),
        head,
        problems,
    }
}

/// The ledger is the order links were assigned in: entry i's pack must exist with that content
/// and name entry i-1 as its previous.
fn check_ledger(
    ledger: &[Link],
    by_id: &HashMap<&str, &ChainPack>,
    chained: &[&ChainPack],
    problem: &mut impl FnMut(&str, ProblemKind, String),
) {
    for (i, entry) in ledger.iter().enumerate() {
        let Some(p) = by_id.get(entry.run_id.as_str()) else {
            let detail = if i + 1 == ledger.len() {
                "its pack is gone (it was the newest of the chain)".to_string()
            } else {
                format!(
                    "its pack is gone (number {} of {} in the chain)",
                    i + 1,
                    ledger.len()
                )
            };
            problem(&entry.run_id, ProblemKind::Missing, detail);
            continue;
        };
        if p.sha256 != entry.sha256 {
            problem(
                &p.run_id,
                ProblemKind::Altered,
                format!(
                    "it hashes to {}, the history recorded {}",
                    super::verify::short(&p.sha256),
                    super::verify::short(&entry.sha256)
                ),
            );
        }
        let expected = match i {
            0 => Previous::First,
            _ => Previous::After(ledger[i - 1].clone()),
        };
        if p.previous != expected {
            let named = match &p.previous {
                Previous::After(l) => l.run_id.clone(),
                _ => "no pack".to_string(),
            };
            let should = match &expected {
                Previous::After(l) => l.run_id.clone(),
                _ => "no pack (it is the first)".to_string(),
            };
            problem(
                &p.run_id,
                ProblemKind::Reordered,
                format!("it names {named} as the pack before, the history says {should}"),
            );
        }
    }
    for p in chained {
        if !ledger.iter().any(|l| l.run_id == p.run_id) {
            problem(
                &p.run_id,
                ProblemKind::Reordered,
                "it claims a place in the chain the history never gave it".to_string(),
            );
        }
    }
}

/// Read and verify every pack under `ROOT/.forge/runs/*/evidence.json`, in parallel.
pub fn load_root(root: &std::path::Path, trust: &super::Trust) -> std::io::Result<Vec<ChainPack>> {
    let runs = crate::layout::runs_dir(root);
    let mut files = Vec::new();
    match std::fs::read_dir(&runs) {
        Ok(entries) => {
            for e in entries {
                let e = e?;
                let path = e.path().join(super::JSON_FILE);
                if e.file_type()?.is_dir() && std::fs::symlink_metadata(&path).is_ok() {
                    files.push((e.file_name().to_string_lossy().into_owned(), path));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    files.sort();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let files = &files;
    let mut packs: Vec<ChainPack> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || {
                    files
                        .iter()
                        .skip(w)
                        .step_by(workers)
                        .map(|(id, path)| load_one(id, path, trust))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    packs.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    Ok(packs)
}

fn load_one(run_id: &str, path: &std::path::Path, trust: &super::Trust) -> ChainPack {
    let mut out = ChainPack {
        run_id: run_id.to_string(),
        sha256: String::new(),
        previous: Previous::Unchained,
        finished_at: String::new(),
        invalid: None,
    };
    let bytes = match super::input::read_regular(path, super::input::PACK_CAP) {
        Ok(b) => b,
        Err(e) => {
            out.invalid = Some(format!("cannot read {}: {e}", path.display()));
            return out;
        }
    };
    let report = super::verify(&bytes, trust, None);
    let Ok(value) = super::input::parse_json_strict(&bytes) else {
        out.invalid = Some(failures(&report));
        return out;
    };
    if let Ok(content) = super::canonical::signed_bytes(&value) {
        out.sha256 = super::canonical::sha256_hex(&content);
    }
    out.finished_at = value
        .pointer("/metadata/finished_at")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let meta_id = value.pointer("/metadata/run_id").and_then(Value::as_str);
    match Previous::of(&value) {
        Some(p) => out.previous = p,
        None => out.invalid = Some("metadata.previous is not {run_id, sha256} or null".to_string()),
    }
    if !report.valid {
        out.invalid = Some(failures(&report));
    } else if meta_id != Some(run_id) {
        out.invalid = Some(format!(
            "it is the pack of run {} kept in the folder of {run_id}",
            meta_id.unwrap_or("?")
        ));
    }
    out
}

fn failures(report: &super::VerifyReport) -> String {
    report
        .failures()
        .map(|c| format!("{}: {}", c.name, c.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(id: &str, prev: Option<&str>, t: &str) -> ChainPack {
        ChainPack {
            run_id: id.to_string(),
            sha256: format!("sha-{id}"),
            previous: match prev {
                None => Previous::First,
                Some(p) => Previous::After(Link {
                    run_id: p.to_string(),
                    sha256: format!("sha-{p}"),
                }),
            },
            finished_at: t.to_string(),
            invalid: None,
        }
    }

    fn link(id: &str) -> Link {
        Link {
            run_id: id.to_string(),
            sha256: format!("sha-{id}"),
        }
    }

    fn kinds(r: &ChainReport) -> Vec<(String, ProblemKind)> {
        r.problems
            .iter()
            .map(|p| (p.run_id.clone(), p.kind))
            .collect()
    }

    /// name, packs, ledger, expected (run id, kind) problems
    type Case<'a> = (
        &'a str,
        Vec<ChainPack>,
        Option<&'a [Link]>,
        Vec<(String, ProblemKind)>,
    );

    #[test]
    fn table_of_chains() {
        use ProblemKind::*;
        let a = pack("A", None, "1");
        let b = pack("B", Some("A"), "2");
        let c = pack("C", Some("B"), "3");
        let mut c_altered_b = c.clone();
        if let Previous::After(l) = &mut c_altered_b.previous {
            l.sha256 = "other".into();
        }
        let ledger = [link("A"), link("B"), link("C")];
        let cases: Vec<Case> = vec![
            (
                "intact",
                vec![a.clone(), b.clone(), c.clone()],
                None,
                vec![],
            ),
            (
                "intact, ledger",
                vec![a.clone(), b.clone(), c.clone()],
                Some(&ledger),
                vec![],
            ),
            (
                "middle deleted",
                vec![a.clone(), c.clone()],
                None,
                vec![("B".into(), Missing)],
            ),
            (
                "newest deleted, ledger",
                vec![a.clone(), b.clone()],
                Some(&ledger),
                vec![("C".into(), Missing)],
            ),
            (
                "altered predecessor",
                vec![a.clone(), b.clone(), c_altered_b],
                None,
                vec![("B".into(), Altered)],
            ),
            (
                "fork",
                vec![a.clone(), b.clone(), pack("C", Some("A"), "3")],
                None,
                vec![("A".into(), Reordered)],
            ),
            (
                "chained after a later pack",
                vec![
                    a.clone(),
                    pack("B", Some("C"), "2"),
                    pack("C", Some("A"), "3"),
                ],
                None,
                vec![("B".into(), Reordered)],
            ),
            (
                "order differs from ledger",
                vec![
                    a.clone(),
                    pack("B", Some("C"), "2"),
                    pack("C", Some("A"), "3"),
                ],
                Some(&ledger),
                vec![("B".into(), Reordered), ("C".into(), Reordered)],
            ),
            (
                "two firsts",
                vec![a.clone(), pack("B", None, "2")],
                None,
                vec![("B".into(), Reordered)],
            ),
        ];
        for (name, packs, ledger, want) in cases {
            let r = check(&packs, ledger);
            assert_eq!(kinds(&r), want, "{name}: {r:?}");
            assert_eq!(r.intact, want.is_empty(), "{name}");
        }
        let r = check(&[a, b, c], None);
        assert_eq!(r.head, Some(link("C")));
        assert_eq!(r.length, 3);
    }
}
