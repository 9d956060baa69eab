//! A real `forge serve` process on a loopback port for the gateway tests: started with port 0,
//! its bound address read from its first stderr line, every later stderr line kept.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub base: String,
    pub lines: Arc<Mutex<Vec<String>>>,
}

impl super::Project {
    /// The server's state folder: outside the project, which the tests serve as a root (a
    /// server refuses a state folder inside a root).
    pub fn serve_state(&self) -> std::path::PathBuf {
        self.config_home.path().join("serve-state")
    }

    /// `forge serve token create NAME EXTRA...` against this project's state dir; the secret.
    pub fn serve_token(&self, name: &str, extra: &[&str]) -> String {
        let state = self.serve_state();
        let mut args = vec!["serve", "token", "create", name, "--state"];
        args.push(state.to_str().expect("utf-8 path"));
        args.extend_from_slice(extra);
        let out = self.forge(&args).assert().code(0).get_output().clone();
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }

    /// Start `forge serve --listen 127.0.0.1:0 --state STATE ARGS...` in this project.
    pub fn serve(&self, args: &[&str]) -> Server {
        let state = self.serve_state();
        let mut all = vec![
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            state.to_str().expect("utf-8 path"),
        ];
        all.extend_from_slice(args);
        self.spawn_server(self.command(&all))
    }

    /// Start an already prepared `forge serve` command.
    pub fn spawn_server(&self, mut cmd: std::process::Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn forge serve");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let kept = lines.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.split("listening on http://").nth(1) {
                    let addr = addr.split_whitespace().next().unwrap_or("").to_string();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr);
                    }
                }
                kept.lock().expect("lines").push(line);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "forge serve did not say where it listens; stderr:\n{}",
                    lines.lock().expect("lines").join("\n")
                );
            }
        };
        Server {
            child,
            base: format!("http://{addr}"),
            lines,
        }
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /metrics` with `token`: the Prometheus text.
    pub async fn metrics(&self, token: &str) -> String {
        reqwest::Client::new()
            .get(self.url("/metrics"))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Every stderr line so far.
    pub fn log(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// Wait (up to 30 s) until a stderr line satisfies `pred`.
    pub fn wait_for_line(&self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(l) = self.lines.lock().expect("lines").iter().find(|l| pred(l)) {
                return l.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no such line in forge serve's stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Send `signal` and wait for the exit status (up to 30 s).
    pub fn stop_with(&mut self, signal: nix::sys::signal::Signal) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, signal).expect("signal forge serve");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "forge serve did not exit after {signal:?}; stderr:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
