//! Checking the `sandbox:` sections: the contract's and each validator's, merged key by key.

use super::check::Checker;
use super::paths::check_relative;
use super::raw::{At, ByteSize, RawSandbox};
use crate::sandbox::{Mode, ResourceLimits, SandboxSettings};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One `sandbox:` section with its values checked; unset keys fall through to the next level.
#[derive(Debug, Clone, Default)]
pub(super) struct SandboxKeys {
    mode: Option<Mode>,
    network: Option<bool>,
    writable: Option<Vec<PathBuf>>,
    memory: Option<u64>,
    processes: Option<u64>,
    cpu_time: Option<Duration>,
    file_size: Option<u64>,
}

impl SandboxKeys {
    /// `self` (a validator's keys) over `base` (the contract's), over the defaults.
    pub(super) fn resolve(&self, base: &SandboxKeys, root: Option<&Path>) -> SandboxSettings {
        let d = ResourceLimits::default();
        SandboxSettings {
            mode: self.mode.or(base.mode).unwrap_or_default(),
            network: self.network.or(base.network).unwrap_or(false),
            writable: self
                .writable
                .clone()
                .or_else(|| base.writable.clone())
                .unwrap_or_default(),
            limits: ResourceLimits {
                memory: self.memory.or(base.memory).unwrap_or(d.memory),
                processes: self.processes.or(base.processes).unwrap_or(d.processes),
                cpu_time: self.cpu_time.or(base.cpu_time).unwrap_or(d.cpu_time),
                file_size: self.file_size.or(base.file_size).unwrap_or(d.file_size),
            },
            hidden: root.map(|r| vec![r.join(".forge")]).unwrap_or_default(),
        }
    }
}

impl Checker {
    pub(super) fn sandbox(
        &mut self,
        raw: Option<At<RawSandbox>>,
        root: Option<&Path>,
    ) -> SandboxKeys {
        let Some(raw) = raw else {
            return SandboxKeys::default();
        };
        let raw = raw.value;
        SandboxKeys {
            mode: raw.mode.map(|m| m.value),
            network: raw.network.map(|n| n.value),
            writable: raw.writable.map(|w| {
                w.value
                    .into_iter()
                    .filter_map(|p| self.writable_path(p, root))
                    .collect()
            }),
            memory: raw.memory.and_then(|m| self.byte_size("memory", m)),
            processes: raw.processes.and_then(|n| {
                if n.value >= 1 {
                    u64::try_from(n.value).ok()
                } else {
                    let message = format!("`processes` {} is out of range", n.value);
                    self.report(
                        &n,
                        message,
                        "expected a whole number of at least 1, e.g. 512",
                    );
                    None
                }
            }),
            cpu_time: raw.cpu_time.and_then(|t| self.duration(t)),
            file_size: raw.file_size.and_then(|s| self.byte_size("file_size", s)),
        }
    }

    fn byte_size(&mut self, key: &str, size: At<ByteSize>) -> Option<u64> {
        let parsed = match &size.value {
            ByteSize::Bytes(n) => Ok(*n),
            ByteSize::Text(t) => parse_size::parse_size(t.trim()).map_err(|e| e.to_string()),
        };
        match parsed {
            Ok(n) if n > 0 => Some(n),
            Ok(_) => {
                self.report(&size, format!("`{key}` must be more than 0"), SIZE_HELP);
                None
            }
            Err(why) => {
                self.report(&size, format!("bad size for `{key}`: {why}"), SIZE_HELP);
                None
            }
        }
    }

    /// Absolute and `~/` paths as written; anything else is relative to the root.
    fn writable_path(&mut self, p: At<String>, root: Option<&Path>) -> Option<PathBuf> {
        let text = p.value.trim();
        if text.is_empty() {
            self.report(&p, "`writable` path is empty".into(), WRITABLE_HELP);
            return None;
        }
        if Path::new(text).is_absolute() {
            return Some(PathBuf::from(text));
        }
        if let Some(rest) = text.strip_prefix("~/") {
            let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
                self.report(
                    &p,
                    format!("cannot expand `{text}`: HOME is not set"),
                    WRITABLE_HELP,
                );
                return None;
            };
            return Some(PathBuf::from(home).join(rest));
        }
        match check_relative(text) {
            Ok(rel) => root.map(|r| r.join(rel)),
            Err(why) => {
                self.report(&p, format!("writable path {}", why.message), WRITABLE_HELP);
                None
            }
        }
    }
}

const SIZE_HELP: &str = "write a number of bytes or a number with a unit, e.g. 512MiB, 4GiB";
const WRITABLE_HELP: &str =
    "write an absolute path, a path under your home as ~/..., or a path relative to the root";
