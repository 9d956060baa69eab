//! Wall-clock timestamps as RFC 3339 UTC strings, the one format used in history and evidence.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Now, e.g. `2026-11-21T17:11:52.123Z` (millisecond precision, always UTC).
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// Always three fraction digits: RFC 3339 formatting drops trailing zeros (`.3Z` for .300),
/// and then timestamps no longer sort as text (`.3Z` sorts after `.31Z`), which the history's
/// `ORDER BY started_at` relies on.
pub fn format(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .or_else(|_| utc.format(&Rfc3339))
    .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_rfc3339_utc_with_millis() {
        let s = super::now();
        assert!(s.ends_with('Z'), "{s}");
        assert_eq!(s.len(), "2026-11-21T17:11:52.123Z".len(), "{s}");
    }

    #[test]
    fn round_milliseconds_keep_three_digits_so_text_order_is_time_order() {
        use time::macros::datetime;
        let a = super::format(datetime!(2026-11-21 22:14:02.300 UTC));
        let b = super::format(datetime!(2026-11-21 22:14:02.310 UTC));
        assert_eq!(a, "2026-11-21T22:14:02.300Z");
        assert!(a < b, "{a} {b}");
        assert_eq!(
            super::format(datetime!(2026-11-21 22:14:02 +02:00)),
            "2026-11-21T20:14:02.000Z"
        );
    }
}
