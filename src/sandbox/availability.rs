//! What this machine lets forge use, found by running the helper as a probe (the same code
//! path as a real validator, so the answer cannot drift from what runs); once per process, and
//! kept across processes by [`super::probe_cache`].

use super::plan::{HELPER_ARG, Mechanism, PROBE_ARG, Plan, Report};
use super::{ResourceLimits, cgroup, probe_cache};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::OnceCell;

/// A probe that takes longer than this has failed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The layers available to validators on this machine, and why the others are not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Availability {
    /// forge's own executable, when it can act as the helper at all.
    pub helper: Option<PathBuf>,
    pub mechanisms: Vec<Mechanism>,
    pub missing: Vec<Mechanism>,
    /// Why layers are missing, in a few words each.
    pub reasons: Vec<String>,
}

impl Availability {
    pub fn has(&self, m: Mechanism) -> bool {
        self.mechanisms.contains(&m)
    }

    /// User, mount and PID namespaces: what `mode: required` insists on.
    pub fn namespaces(&self) -> bool {
        self.has(Mechanism::UserNamespace)
            && self.has(Mechanism::MountNamespace)
            && self.has(Mechanism::PidNamespace)
    }

    /// The one line `auto` prints when something is missing.
    pub fn notice(&self) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let missing: Vec<&str> = self.missing.iter().map(|m| m.as_str()).collect();
        Some(format!(
            "forge: sandbox: validators run without {} ({}); `sandbox: {{mode: required}}` refuses instead",
            missing.join(", "),
            self.reasons.join("; ")
        ))
    }
}

static AVAILABLE: OnceCell<Availability> = OnceCell::const_new();

/// This machine's availability: the cached answer, else probed on first use.
pub async fn availability() -> &'static Availability {
    AVAILABLE
        .get_or_init(|| async {
            if let Some(cached) = probe_cache::load() {
                return cached;
            }
            let (available, settled) = probe().await;
            if settled {
                probe_cache::store(&available);
            }
            available
        })
        .await
}

/// What the machine allows, and whether that answer is settled: a probe that timed out or
/// could not be started (a loaded machine, a full process table) says nothing lasting.
async fn probe() -> (Availability, bool) {
    let mut reasons = Vec::new();
    let mut settled = true;
    let helper = std::env::current_exe().ok();
    let mut report = None;
    if let Some(exe) = &helper {
        for namespaces in [true, false] {
            match run_probe(exe, namespaces).await {
                Ok(r) => {
                    report = Some(r);
                    break;
                }
                Err(ProbeFailure::Refused(why)) => reasons.push(why),
                Err(ProbeFailure::Transient(why)) => {
                    settled = false;
                    reasons.push(why);
                }
            }
        }
    }
    let helper = helper.filter(|_| report.is_some());
    let mut report = report.unwrap_or_default();
    reasons.append(&mut report.notes);
    let mut mechanisms = report.mechanisms;
    if helper.is_some() {
        match cgroup::create(&ResourceLimits::default()) {
            Ok(made) => {
                made.remove().await;
                mechanisms.push(Mechanism::Cgroup);
            }
            Err(why) => reasons.push(format!("cgroup: {why}")),
        }
    }
    mechanisms.sort();
    mechanisms.dedup();
    let missing = Mechanism::ALL
        .into_iter()
        .filter(|m| !mechanisms.contains(m))
        .collect();
    let available = Availability {
        helper,
        mechanisms,
        missing,
        reasons,
    };
    (available, settled)
}

/// Why a probe gave no report.
enum ProbeFailure {
    /// The helper ran and could not set the sandbox up: a property of the machine.
    Refused(String),
    /// The probe itself did not run to the end.
    Transient(String),
}

async fn run_probe(exe: &Path, namespaces: bool) -> Result<Report, ProbeFailure> {
    let scratch = tempfile::Builder::new()
        .prefix("forge-sandbox-probe-")
        .tempdir()
        .map_err(|e| ProbeFailure::Transient(format!("cannot create a probe folder: {e}")))?;
    let writable = scratch
        .path()
        .canonicalize()
        .map_err(|e| ProbeFailure::Transient(format!("cannot resolve the probe folder: {e}")))?;
    let plan = Plan {
        run: String::new(),
        namespaces,
        network: false,
        writable: vec![writable.clone()],
        hidden: Vec::new(),
        limits: ResourceLimits::default(),
        cgroups: Vec::new(),
        landlock: true,
    };
    let json = serde_json::to_string(&plan).map_err(|e| ProbeFailure::Transient(e.to_string()))?;
    let run = tokio::process::Command::new(exe)
        .args([HELPER_ARG, PROBE_ARG, &json])
        .current_dir(&writable)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(PROBE_TIMEOUT, run)
        .await
        .map_err(|_| ProbeFailure::Transient("the sandbox probe did not finish".into()))?
        .map_err(|e| ProbeFailure::Transient(format!("cannot run the sandbox probe: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    match serde_json::from_str::<Report>(stdout.trim()) {
        Ok(r) if out.status.success() => Ok(r),
        _ => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let why = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .map(|l| l.trim_start_matches("forge sandbox: ").to_string())
                .unwrap_or_else(|| format!("the sandbox probe failed ({})", out.status));
            // A helper ended by a signal was stopped from outside, not refused by the kernel.
            match out.status.code() {
                Some(_) => Err(ProbeFailure::Refused(why)),
                None => Err(ProbeFailure::Transient(why)),
            }
        }
    }
}
