//! Is the forge that started a run still alive? A pid alone can be reused, so the process's
//! start time (field 22 of /proc/PID/stat, in clock ticks since boot) is compared as well.

/// The start time of process `pid`, or None where /proc is unavailable or the process is gone.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_start_time(&stat)
}

/// The command name (field 2) is in parentheses and may itself hold spaces and ')', so fields
/// are counted from the last ')'.
fn parse_start_time(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After ')' come fields 3 (state) onwards; starttime is field 22.
    rest.split_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether the process that recorded (`pid`, `recorded_start`) is still running.
pub fn still_running(pid: i64, recorded_start: Option<i64>) -> bool {
    let Ok(pid) = u32::try_from(pid) else {
        return false;
    };
    if pid == 0 {
        return false;
    }
    match (start_time(pid), recorded_start) {
        (Some(now), Some(then)) => i64::try_from(now).is_ok_and(|now| now == then),
        (Some(_), None) => true,
        // No /proc entry: gone on Linux; elsewhere ask the kernel whether the pid exists.
        (None, _) => !std::path::Path::new("/proc/self/stat").exists() && pid_exists(pid),
    }
}

fn pid_exists(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
        Ok(()) => true,
        Err(e) => e == nix::errno::Errno::EPERM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_start_time_past_a_command_name_with_parens_and_spaces() {
        let stat =
            "4242 (a b) c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50";
        assert_eq!(parse_start_time(stat), Some(987654));
        assert_eq!(parse_start_time("garbage"), None);
    }

    #[test]
    fn this_process_is_running_and_a_different_start_time_is_not() {
        let me = std::process::id();
        let start = start_time(me).map(|s| s as i64);
        assert!(still_running(i64::from(me), start));
        if let Some(s) = start {
            assert!(!still_running(i64::from(me), Some(s + 1)));
        }
        assert!(!still_running(0, None));
        assert!(!still_running(-5, None));
    }
}
