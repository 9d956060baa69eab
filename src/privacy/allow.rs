//! The contract's `privacy.allow`: values never flagged, written literally or as `/regex/`.

use regex::Regex;

/// Compiled `allow` entries. A literal must equal the whole value; a regex must match
/// somewhere in it (anchor it with `^...$` to ask for the whole value).
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    literals: Vec<String>,
    patterns: Vec<Regex>,
}

/// One `allow` entry as written: `/.../` is a regex, anything else a literal value.
pub fn parse_entry(entry: &str) -> Result<Option<Regex>, regex::Error> {
    match entry
        .strip_prefix('/')
        .and_then(|rest| rest.strip_suffix('/'))
    {
        Some(pattern) if !pattern.is_empty() => Regex::new(pattern).map(Some),
        _ => Ok(None),
    }
}

impl AllowList {
    /// The list from the contract's entries; a bad regex is reported by the contract check
    /// first, so here it is an error only for callers that skipped it.
    pub fn new(entries: &[String]) -> Result<AllowList, regex::Error> {
        let mut list = AllowList::default();
        for e in entries {
            match parse_entry(e)? {
                Some(re) => list.patterns.push(re),
                None => list.literals.push(e.clone()),
            }
        }
        Ok(list)
    }

    pub fn allows(&self, value: &[u8]) -> bool {
        if self.literals.is_empty() && self.patterns.is_empty() {
            return false;
        }
        let value = String::from_utf8_lossy(value);
        self.literals.iter().any(|l| *l == value)
            || self.patterns.iter().any(|p| p.is_match(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_match_whole_values_and_regexes_anywhere() {
        let list = AllowList::new(&["ops@acme.io".into(), r"/^AKIA[A-Z2-7]{16}$/".into()]).unwrap();
        assert!(list.allows(b"ops@acme.io"));
        assert!(!list.allows(b"xops@acme.io"));
        assert!(list.allows(b"AKIAZ7ZQ2XK4LMNB3PQR")); // forge:allow
        assert!(!list.allows(b"jane@acme.io"));
        assert!(AllowList::new(&["/(/".into()]).is_err());
        assert!(parse_entry("/").unwrap().is_none());
    }
}
