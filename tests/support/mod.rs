//! Test support shared by the integration tests: a builder that runs the real `forge` binary
//! in its own temp dir with a clean, key-free environment.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod fake_llm;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temp project folder plus a private config home, for one test.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub config_home: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
            config_home: tempfile::tempdir().expect("temp config dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Write a file (creating folders) and return its path.
    pub fn file(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write file");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `forge ARGS...` run in the project folder, with no API keys in its environment, an
    /// isolated XDG_CONFIG_HOME, and no colours.
    pub fn forge(&self, args: &[&str]) -> Command {
        Command::from_std(self.command(args))
    }

    /// The same as [`Project::forge`] as a plain `std` command, for runs a test must spawn
    /// (to signal or kill them, or to run two side by side).
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("forge"));
        cmd.current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.config_home.path())
            .env("XDG_CONFIG_HOME", self.config_home.path())
            .env("NO_COLOR", "1")
            .args(args);
        cmd
    }
}
pub mod records;
pub mod server;
pub mod tools;

/// Kills the validator's process group left behind by a SIGKILLed forge, even if the test fails.
pub struct Orphan {
    pub pid_file: PathBuf,
}

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.pid_file) {
            let pid = pid.trim();
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(std::process::Stdio::null())
                .status();
            let _ = std::process::Command::new("kill")
                .args(["-KILL", pid])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}
