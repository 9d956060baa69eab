//! Reading a contract file defensively: regular files only, a size cap checked before reading,
//! and UTF-8 text without NUL bytes, so bad input ends in a clear message rather than a hang.

use super::{ContractError, Diagnostic};
use std::io::Read;
use std::path::Path;

/// Contracts are small hand-written files; anything bigger is a mistake or an attack.
pub const MAX_CONTRACT_BYTES: u64 = 1024 * 1024;

/// The file's bytes, or why they cannot be had.
pub fn read_bytes(path: &Path, shown: &str) -> Result<Vec<u8>, ContractError> {
    let unreadable = |message: String| ContractError::Unreadable {
        path: shown.to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(unreadable(
            "it is a directory; expected a YAML contract file".into(),
        ));
    }
    // A FIFO or device would block or never end; only regular files are contracts.
    if !meta.is_file() {
        return Err(unreadable(
            "it is not a regular file; expected a YAML contract file".into(),
        ));
    }
    let too_big = |size: u64| {
        unreadable(format!(
            "it is {size} bytes; a contract may be at most {MAX_CONTRACT_BYTES} bytes (1 MiB)"
        ))
    };
    if meta.len() > MAX_CONTRACT_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(io_reason(&e)))?;
    let mut bytes = Vec::new();
    // The cap holds even if the file grows between the size check and the read.
    file.take(MAX_CONTRACT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(io_reason(&e)))?;
    if bytes.len() as u64 > MAX_CONTRACT_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The bytes as text (a leading byte-order mark dropped), or a diagnostic at the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(diagnostic_at(
                bytes,
                at,
                format!("not UTF-8 text (byte 0x{:02x})", bytes[at]),
            ));
        }
    };
    if let Some(at) = text.find('\0') {
        return Err(diagnostic_at(
            bytes,
            at,
            "contains a NUL byte; this looks like a binary file, not YAML".into(),
        ));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn diagnostic_at(bytes: &[u8], at: usize, message: String) -> Diagnostic {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Diagnostic {
        line,
        column,
        message,
        help: Some("a contract must be a UTF-8 YAML text file".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let d = decode(b"version: 1\nname: a\xffb\n").unwrap_err();
        assert_eq!((d.line, d.column), (2, 8));
        assert!(d.message.contains("0xff"), "{}", d.message);
    }

    #[test]
    fn nul_byte_is_binary() {
        let d = decode(b"\x00\x01\x02").unwrap_err();
        assert_eq!((d.line, d.column), (1, 1));
        assert!(d.message.contains("binary"));
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(
            decode("\u{feff}version: 1".as_bytes()).unwrap(),
            "version: 1"
        );
    }
}
