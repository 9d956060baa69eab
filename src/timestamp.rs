//! Wall-clock timestamps as RFC 3339 UTC strings, the one format used in history and evidence.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Now, e.g. `2026-11-21T17:11:52.123Z` (millisecond precision, always UTC).
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

pub fn format(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_rfc3339_utc_with_millis() {
        let s = super::now();
        assert!(s.ends_with('Z'), "{s}");
        assert_eq!(s.len(), "2026-11-21T17:11:52.123Z".len(), "{s}");
    }
}
