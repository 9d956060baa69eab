//! The policy around the runner's command: given a validator's settings and what this machine
//! allows, rewrite `sh -c RUN` into the confined command, with its environment and clean-up.

use super::availability::{Availability, availability};
use super::cgroup::{self, Cgroups};
use super::plan::{HELPER_ARG, Mechanism, Plan};
use super::{Mode, SandboxError, SandboxSettings};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// One validator's command as the runner should start it.
#[derive(Debug)]
pub struct Wrapped {
    pub program: OsString,
    pub args: Vec<OsString>,
    /// The complete environment.
    pub env: Vec<(OsString, OsString)>,
    /// Dropped (after [`Guard::release`]) once the validator has ended.
    pub guard: Guard,
}

/// What a sandboxed validator leaves to clean up: its private HOME/TMPDIR and its cgroups.
#[derive(Debug, Default)]
pub struct Guard {
    _private: Option<tempfile::TempDir>,
    cgroups: Cgroups,
}

impl Guard {
    /// Kill whatever is left in the validator's cgroups and remove them and its private folder.
    pub async fn release(self) {
        self.cgroups.remove().await;
    }
}

/// The seam for other systems: a `Sandbox` turns one validator's command into a confined one.
/// Linux uses namespaces through forge's helper ([`Namespaces`]); a macOS one would write a
/// Seatbelt profile and run `sandbox-exec`, as Codex does. Elsewhere validators run
/// [`Unconfined`].
pub trait Sandbox: Send + Sync {
    fn wrap(
        &self,
        run: &str,
        dir: &Path,
        env: &[(OsString, OsString)],
        settings: &SandboxSettings,
    ) -> Result<Wrapped, SandboxError>;
}

/// `sh -c RUN` as it is, for `mode: off` and where nothing else is available.
pub struct Unconfined;

impl Sandbox for Unconfined {
    fn wrap(
        &self,
        run: &str,
        _dir: &Path,
        env: &[(OsString, OsString)],
        _settings: &SandboxSettings,
    ) -> Result<Wrapped, SandboxError> {
        Ok(Wrapped {
            program: "sh".into(),
            args: vec!["-c".into(), run.into()],
            env: env.to_vec(),
            guard: Guard::default(),
        })
    }
}

/// The policy for one round of validators: checks `required`, says once what `auto` lacks, and
/// picks the sandbox for each validator.
pub struct Policy {
    available: Option<&'static Availability>,
}

static NOTICE: Once = Once::new();

impl Policy {
    /// Probe (once per process) if any validator is sandboxed; refuse a `required` one that
    /// cannot have namespaces; print the `auto` notice once.
    pub async fn for_round<'a>(
        settings: impl Iterator<Item = (&'a str, &'a SandboxSettings)>,
    ) -> Result<Policy, SandboxError> {
        let settings: Vec<_> = settings.filter(|(_, s)| s.mode != Mode::Off).collect();
        if settings.is_empty() {
            return Ok(Policy { available: None });
        }
        let available = availability().await;
        let refused = |s: &SandboxSettings| {
            let network = s.network || available.has(Mechanism::NetworkNamespace);
            s.mode == Mode::Required
                && (!available.namespaces() || !network || available.helper.is_none())
        };
        if let Some((name, _)) = settings.iter().find(|(_, s)| refused(s)) {
            return Err(SandboxError::Unavailable {
                validator: name.to_string(),
                reason: available.reasons.join("; "),
            });
        }
        if settings.iter().any(|(_, s)| s.mode == Mode::Auto) {
            if let Some(line) = available.notice() {
                NOTICE.call_once(|| crate::cli::output::err_line(&line));
            }
        }
        Ok(Policy {
            available: Some(available),
        })
    }

    /// What the sandboxed validators of this round get; None when every one runs with `off`.
    pub fn availability(&self) -> Option<&'static Availability> {
        self.available
    }

    pub fn wrap(
        &self,
        run: &str,
        dir: &Path,
        env: &[(OsString, OsString)],
        settings: &SandboxSettings,
    ) -> Result<Wrapped, SandboxError> {
        match self.available {
            Some(a) if settings.mode != Mode::Off => match &a.helper {
                Some(exe) => Namespaces { exe, available: a }.wrap(run, dir, env, settings),
                None => Unconfined.wrap(run, dir, env, settings),
            },
            _ => Unconfined.wrap(run, dir, env, settings),
        }
    }
}

/// Linux: forge re-executed as the helper, with whichever layers this machine allows.
pub struct Namespaces<'a> {
    exe: &'a Path,
    available: &'a Availability,
}

impl Sandbox for Namespaces<'_> {
    fn wrap(
        &self,
        run: &str,
        dir: &Path,
        env: &[(OsString, OsString)],
        settings: &SandboxSettings,
    ) -> Result<Wrapped, SandboxError> {
        let setup = |what: &str, e: &dyn std::fmt::Display| SandboxError::Setup {
            message: format!("{what}: {e}"),
        };
        // Named for this process, so a later forge removes it if this one is killed.
        let private = tempfile::Builder::new()
            .prefix(&crate::workspace::owned_prefix(crate::workspace::SANDBOX))
            .tempdir()
            .map_err(|e| setup("cannot create a private HOME", &e))?;
        let home = private.path().join("home");
        let tmp = private.path().join("tmp");
        for d in [&home, &tmp] {
            std::fs::create_dir(d).map_err(|e| setup("cannot create a private HOME", &e))?;
        }
        let mut env = env.to_vec();
        let real = |name: &str| {
            env.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| PathBuf::from(v))
        };
        let real_home = real("HOME");
        let target = real("CARGO_TARGET_DIR");
        let mut set = tool_homes(real_home.as_deref(), &env);
        set.push(("HOME".into(), home.clone().into()));
        for name in ["TMPDIR", "TMP", "TEMP"] {
            set.push((name.into(), tmp.clone().into()));
        }
        for (k, v) in set {
            env.retain(|(name, _)| *name != k);
            env.push((k, v));
        }

        let mut writable = vec![dir.to_path_buf(), private.path().to_path_buf()];
        writable.extend(target);
        writable.extend(settings.writable.iter().cloned());
        let mut canonical = Vec::with_capacity(writable.len());
        for w in writable {
            std::fs::create_dir_all(&w)
                .and_then(|()| w.canonicalize())
                .map(|c| canonical.push(c))
                .map_err(|e| setup(&format!("writable path {}", w.display()), &e))?;
        }
        let hidden = hidden_paths(settings, real_home.as_deref(), &canonical);

        let cgroups = if self.available.has(Mechanism::Cgroup) {
            cgroup::create(&settings.limits).map_err(|e| setup("cgroup", &e))?
        } else {
            Cgroups::default()
        };
        let plan = Plan {
            run: run.to_string(),
            namespaces: self.available.namespaces(),
            network: settings.network,
            writable: canonical,
            hidden,
            limits: settings.limits.clone(),
            cgroups: cgroups.dirs().to_vec(),
            landlock: self.available.has(Mechanism::Landlock),
        };
        let json = serde_json::to_string(&plan).map_err(|e| setup("plan", &e))?;
        Ok(Wrapped {
            program: self.exe.as_os_str().to_owned(),
            args: vec![HELPER_ARG.into(), json.into()],
            env,
            guard: Guard {
                _private: Some(private),
                cgroups,
            },
        })
    }
}

/// Toolchains that live under the real HOME keep being found once HOME is private.
fn tool_homes(real_home: Option<&Path>, env: &[(OsString, OsString)]) -> Vec<(OsString, OsString)> {
    let Some(home) = real_home else {
        return Vec::new();
    };
    [
        ("CARGO_HOME", ".cargo"),
        ("RUSTUP_HOME", ".rustup"),
        ("PYENV_ROOT", ".pyenv"),
        ("GOPATH", "go"),
        ("PYTHONUSERBASE", ".local"),
        ("GIT_CONFIG_GLOBAL", ".gitconfig"),
    ]
    .into_iter()
    .filter(|(name, _)| !env.iter().any(|(k, _)| k == name))
    .map(|(name, rel)| (name, home.join(rel)))
    .filter(|(_, path)| path.exists())
    .map(|(name, path)| (name.into(), path.into()))
    .collect()
}

/// Credential stores under the real HOME that no test run needs.
const CREDENTIALS: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".kube",
    ".docker",
    ".config/gcloud",
    ".config/gh",
    ".netrc",
    ".git-credentials",
    ".pypirc",
    ".npmrc",
    ".cargo/credentials",
    ".cargo/credentials.toml",
];

/// The root's `.forge/`, forge's config folder, and the credential stores that exist; never
/// a folder holding a writable path (that would hide the workspace itself).
fn hidden_paths(
    settings: &SandboxSettings,
    real_home: Option<&Path>,
    writable: &[PathBuf],
) -> Vec<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .or_else(|| real_home.map(|h| h.join(".config")));
    let mut paths: Vec<PathBuf> = settings.hidden.clone();
    paths.extend(config.map(|c| c.join("forge")));
    if let Some(home) = real_home {
        paths.extend(CREDENTIALS.iter().map(|c| home.join(c)));
    }
    let mut out: Vec<PathBuf> = paths
        .into_iter()
        .filter_map(|p| p.canonicalize().ok())
        .filter(|p| !writable.iter().any(|w| w.starts_with(p)))
        .collect();
    out.sort();
    out.dedup();
    out
}
