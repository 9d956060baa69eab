//! `forge doctor`: the things a newcomer trips on, each checked and, when wrong, what to do.
//! Exit 0 when nothing fails (warnings allowed), 1 otherwise.

use super::output::{json, out_line};
use crate::error::{Error, exit};
use crate::llm::{LlmFlags, ResolvedLlm};
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, serde::Serialize)]
struct Check {
    name: &'static str,
    status: Status,
    detail: String,
    /// What to do about it; None when all is well.
    fix: Option<String>,
}

fn check(name: &'static str, status: Status, detail: String, fix: Option<String>) -> Check {
    Check {
        name,
        status,
        detail,
        fix,
    }
}

pub fn run(g: &super::Global) -> Result<u8, Error> {
    let mut checks = vec![provider()];
    checks.extend(tools());
    checks.push(namespaces());
    checks.push(forge_dir(g)?);
    checks.push(clock());
    let ok = checks.iter().all(|c| c.status != Status::Fail);
    if g.json {
        out_line(&json(&serde_json::json!({ "ok": ok, "checks": checks }))?)?;
    } else if !g.quiet || !ok {
        for c in &checks {
            let mark = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            out_line(&format!(
                "{mark}  {:<10}  {}",
                c.name,
                crate::term::safe_line(&c.detail)
            ))?;
            if let Some(fix) = &c.fix {
                out_line(&format!("      {:<10}  fix: {fix}", ""))?;
            }
        }
    }
    Ok(if ok { exit::OK } else { exit::FAILED })
}

/// The provider converge would use without flags, and whether it can be reached with a key.
fn provider() -> Check {
    let s = match crate::llm::resolve_settings(&LlmFlags::default(), &Default::default()) {
        Ok(s) => s,
        Err(e) => {
            return check(
                "provider",
                Status::Fail,
                e.to_string(),
                Some("fix FORGE_PROVIDER / FORGE_MODEL or config.toml [llm]".into()),
            );
        }
    };
    let what = format!("{} {} at {}", s.provider.as_str(), s.model, s.base_url);
    match crate::llm::key_var(s.provider) {
        Some(var) if s.api_key.is_some() => check(
            "provider",
            Status::Ok,
            format!("{what}, key from {var}"),
            None,
        ),
        Some(_) if s.is_local() => check(
            "provider",
            Status::Ok,
            format!("{what} (local server, no key needed)"),
            None,
        ),
        Some(var) => check(
            "provider",
            Status::Fail,
            format!("{what}: {var} is not set"),
            Some(format!(
                "export {var}=...; or use a local model (--provider ollama --model NAME); \
                 or replay a recorded run with `forge converge --replay CASSETTE`"
            )),
        ),
        None => local_server(&s, &what),
    }
}

/// A keyless provider (Ollama) must at least be listening.
fn local_server(s: &ResolvedLlm, what: &str) -> Check {
    let addr = reqwest::Url::parse(&s.base_url).ok().and_then(|u| {
        let host = u.host_str()?.to_string();
        let port = u.port_or_known_default()?;
        std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .ok()?
            .next()
    });
    let reachable = addr
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    if reachable {
        check("provider", Status::Ok, format!("{what} is listening"), None)
    } else {
        check(
            "provider",
            Status::Fail,
            format!("{what} is not answering"),
            Some("start it (`ollama serve`) or set FORGE_BASE_URL to where it runs".into()),
        )
    }
}

/// The tools the starters (`forge init --template ...`) run. Missing ones only matter for the
/// templates that use them, so they are warnings.
fn tools() -> Vec<Check> {
    let wanted: [(&'static str, &str, &str); 4] = [
        ("python3", "--version", "the python starter"),
        ("cargo", "--version", "the rust starter"),
        ("node", "--version", "the node starter"),
        ("shellcheck", "--version", "the shell starter"),
    ];
    wanted
        .iter()
        .map(|(tool, arg, used_by)| {
            let out = std::process::Command::new(tool)
                .arg(arg)
                .stdin(std::process::Stdio::null())
                .output();
            match out {
                Ok(o) if o.status.success() => {
                    let text = String::from_utf8_lossy(&o.stdout);
                    let version = text
                        .lines()
                        .find(|l| l.chars().any(|c| c.is_ascii_digit()))
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    check(tool, Status::Ok, version, None)
                }
                _ => check(
                    tool,
                    Status::Warn,
                    format!("not found on PATH (needed by {used_by})"),
                    Some(format!("install {tool} if your contracts run it")),
                ),
            }
        })
        .collect()
}

/// Whether this user may create a user namespace, which the validator sandbox builds on:
/// probed in a child so forge itself is left as it was.
fn namespaces() -> Check {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        return check(
            "sandbox",
            Status::Warn,
            "cannot find forge's own binary to probe with".into(),
            None,
        );
    };
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--version")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // SAFETY: between fork and exec the child only makes the unshare system call, which is
    // async-signal-safe, and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWUSER).map_err(std::io::Error::from)
        });
    }
    match cmd.status() {
        Ok(s) if s.success() => check(
            "sandbox",
            Status::Ok,
            "user namespaces are available".into(),
            None,
        ),
        Ok(_) | Err(_) => check(
            "sandbox",
            Status::Warn,
            "user namespaces are not available to this user".into(),
            Some(
                "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, \
                 or kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu) to sandbox validators"
                    .into(),
            ),
        ),
    }
}

/// forge writes its history and packs under ROOT/.forge.
fn forge_dir(g: &super::Global) -> Result<Check, Error> {
    let root = super::project::root(g)?;
    let dir = crate::layout::forge_dir(&root);
    let shown = dir.display().to_string();
    let probe = if dir.exists() {
        if !dir.is_dir() {
            Err(std::io::Error::other("it is not a folder"))
        } else {
            tempfile::Builder::new()
                .prefix(".forge-doctor-")
                .tempfile_in(&dir)
                .map(drop)
        }
    } else {
        tempfile::Builder::new()
            .prefix(".forge-doctor-")
            .tempfile_in(&root)
            .map(drop)
    };
    Ok(match probe {
        Ok(()) => check(".forge", Status::Ok, format!("{shown} is writable"), None),
        Err(e) => check(
            ".forge",
            Status::Fail,
            format!("{shown} cannot be written: {e}"),
            Some(format!(
                "make {} writable for this user, or run forge from a project you own",
                if dir.exists() {
                    &shown
                } else {
                    root.to_str().unwrap_or("the root")
                }
            )),
        ),
    })
}

/// Evidence packs and run ids carry timestamps; a clock years off makes them lie.
fn clock() -> Check {
    // 2026-01-01T00:00:00Z: this forge was written after it.
    const EARLIEST: u64 = 1_767_225_600;
    const LATEST: u64 = 4_102_444_800; // 2100-01-01
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let shown = crate::timestamp::now();
    if (EARLIEST..LATEST).contains(&now) {
        check("clock", Status::Ok, format!("now is {shown}"), None)
    } else {
        check(
            "clock",
            Status::Fail,
            format!("the system clock says {shown}"),
            Some("set the clock (e.g. enable NTP with `timedatectl set-ntp true`)".into()),
        )
    }
}
