//! What a run records about its sandbox (`raw_evidence.sandbox` in the pack, SPEC §11).

use super::availability::availability;
use super::plan::Mechanism;
use super::{Mode, SandboxSettings};

/// The layers the run's validators had, those they lacked, which validators ran with
/// `mode: off`, and which had the host's network.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SandboxRecord {
    /// The confinement layers validators had.
    pub mechanisms: Vec<Mechanism>,
    /// The layers they lacked (all of them when every validator ran with `mode: off`).
    pub missing: Vec<Mechanism>,
    /// Validators that ran with `mode: off` (omitted when none did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfined: Vec<String>,
    /// Validators that had the host's network (omitted when none had).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network: Vec<String>,
}

impl SandboxRecord {
    /// The record for validators named with their settings; probes the machine (once) unless
    /// every one of them runs with `mode: off`.
    pub async fn for_validators<'a>(
        validators: impl Iterator<Item = (&'a str, &'a SandboxSettings)>,
    ) -> SandboxRecord {
        let mut unconfined = Vec::new();
        let mut network = Vec::new();
        let mut sandboxed = false;
        for (name, s) in validators {
            if s.mode == Mode::Off {
                unconfined.push(name.to_string());
            } else {
                sandboxed = true;
                if s.network {
                    network.push(name.to_string());
                }
            }
        }
        if !sandboxed {
            return SandboxRecord {
                mechanisms: Vec::new(),
                missing: Mechanism::ALL.to_vec(),
                unconfined,
                network,
            };
        }
        let a = availability().await;
        SandboxRecord {
            mechanisms: a.mechanisms.clone(),
            missing: a.missing.clone(),
            unconfined,
            network,
        }
    }
}
