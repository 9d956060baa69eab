//! The checks a pattern match must pass besides its shape: entropy, Luhn, IBAN mod-97, and the
//! filters that keep names, paths and placeholders from reading as secrets.

use super::rules::Check;

/// Shannon entropy in bits per byte: how unpredictable a value's characters are. Random
/// base64 is near 6, English words near 3, `aaaa` is 0.
pub fn entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[b as usize] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// A match and the parts of it the checks look at.
#[derive(Debug, Default, Clone, Copy)]
pub struct Candidate<'a> {
    /// The whole match.
    pub whole: &'a [u8],
    /// The value (group `v`, else the whole match).
    pub value: &'a [u8],
    /// The full name a value is assigned to (`MY_API_KEY`).
    pub name: &'a [u8],
    /// What follows an assigned value when it is code: `(`, `[`, `<` or `::`.
    pub after: &'a [u8],
    /// The host of credentials in a URL.
    pub host: &'a [u8],
}

/// Whether a candidate passes `check`.
pub fn passes(check: Check, c: &Candidate) -> bool {
    let Ok(text) = std::str::from_utf8(c.value) else {
        return false;
    };
    match check {
        Check::None => true,
        Check::KeyBlock => c.whole.len() >= 64 + 2 * "-----BEGIN PRIVATE KEY-----".len(),
        Check::NotExample => !text.ends_with("EXAMPLE"),
        Check::UrlPassword => {
            !is_placeholder(text)
                && is_personal_email(&format!("x@{}", String::from_utf8_lossy(c.host)))
        }
        Check::AssignedValue => {
            c.after.is_empty()
                && std::str::from_utf8(c.name).is_ok_and(is_secret_name)
                && is_secret_value(text)
        }
        Check::EmailAddress => {
            text.split_once('@')
                .is_some_and(|(local, _)| local.len() <= 64)
                && text.rsplit('.').next().is_some_and(|tld| tld.len() <= 24)
                && is_personal_email(text)
        }
        Check::PhoneDigits => is_phone(text),
        Check::Iban => text.parse::<iban::Iban>().is_ok(),
        Check::CardNumber => is_card_number(text),
    }
}

fn digits(text: &str) -> usize {
    text.bytes().filter(u8::is_ascii_digit).count()
}

/// 8 to 15 digits as E.164 allows, balanced parentheses, no two separators in a row.
fn is_phone(text: &str) -> bool {
    let opens = text.matches('(').count();
    let doubled = text
        .as_bytes()
        .windows(2)
        .any(|w| w.iter().all(|b| matches!(b, b' ' | b'.' | b'-')));
    (8..=15).contains(&digits(text)) && opens == text.matches(')').count() && opens <= 1 && !doubled
}

/// Words a value is made of when it stands for a secret rather than being one.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "dummy",
    "redacted",
    "xxxx",
    "****",
    "your_",
    "your-",
    "password",
    "secret",
    "forge_mask_",
];

fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.len() < 4
        || matches!(lower.as_bytes().first(), Some(b'$' | b'{' | b'<' | b'%'))
        || PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// Names that contain a key-like word without naming a secret (after gitleaks' allow list).
const NOT_SECRET_NAMES: &[&str] = &[
    "public",
    "primary",
    "foreign",
    "sort",
    "partition",
    "cache",
    "hash",
    "keyword",
    "keyboard",
    "monkey",
    "turkey",
    "hotkey",
    "author",
    "authority",
    "oauth_url",
    "key_id",
    "keyid",
    "key_name",
    "key_size",
    "key_len",
    "key_path",
    "key_file",
    "key_type",
    "secret_name",
    "secret_size",
    "secret_len",
    "token_type",
    "token_url",
    "token_endpoint",
    "token_count",
    "token_budget",
    "tokens",
    "csrf",
    "idempotency",
];

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !NOT_SECRET_NAMES.iter().any(|w| lower.contains(w))
}

/// A value worth calling a secret: 16 characters or more (shorter ones are mostly names and
/// ids in minified code), not a word or identifier, not a path, not a placeholder, and at
/// least as unpredictable as gitleaks' generic rule asks (3.5 bits per character).
fn is_secret_value(value: &str) -> bool {
    let v = value.trim_end_matches(['.', '-', '_']);
    let only_word_chars = v
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-' | b'/'));
    let path_like = v.starts_with('/') || v.starts_with("./") || v.starts_with("../");
    let dotted_name = v.contains('.')
        && v.split('.').all(|part| {
            part.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
    v.len() >= MIN_ASSIGNED_LEN
        && !only_word_chars
        && !is_identifier(v)
        && !path_like
        && !dotted_name
        && !is_placeholder(v)
        && entropy(v.as_bytes()) >= 3.5
}

const MIN_ASSIGNED_LEN: usize = 16;

/// Code, not a secret: a name such as `nl80211_auth_type`, `DOT11_WPS_CONFIG_METHOD_KEYPAD`
/// or `sqlite3KeyInfoOfIndex`. Split at `_`, `-`, `.` and lower-to-upper case changes, at
/// least 60% of its characters are in word-like parts of 4 or more (`Index`, `CONFIG`,
/// `nl80211`); random values almost never have such parts.
fn is_identifier(v: &str) -> bool {
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    let mut wordy = 0;
    for part in v.split(['_', '-', '.']) {
        let bytes = part.as_bytes();
        let mut start = 0;
        for i in 1..=bytes.len() {
            let boundary = i == bytes.len()
                || (bytes[i].is_ascii_uppercase() && !bytes[i - 1].is_ascii_uppercase());
            if boundary {
                let word = &part[start..i];
                if word.len() >= 4 && is_word(word) {
                    wordy += word.len();
                }
                start = i;
            }
        }
    }
    wordy * 10 >= v.len() * 6
}

/// Letters of one case (or Capitalised), then digits: `auth`, `CONFIG`, `Index`, `nl80211`.
fn is_word(w: &str) -> bool {
    let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
    let rest = letters.get(1..).unwrap_or("");
    !letters.is_empty()
        && letters.bytes().all(|b| b.is_ascii_alphabetic())
        && (rest.bytes().all(|b| b.is_ascii_lowercase())
            || letters.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Domains that belong to no one (RFC 2606, RFC 6761) and file names such as `icon@2x.png`.
fn is_personal_email(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
    let tld = domain.rsplit('.').next().unwrap_or("");
    let reserved_tld = matches!(tld, "example" | "test" | "invalid" | "localhost" | "local");
    let file_ext = matches!(
        tld,
        "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" | "js" | "css" | "rs" | "py" | "ts"
    );
    !(reserved || reserved_tld || file_ext || local.eq_ignore_ascii_case("git"))
}

/// 13 to 19 digits with a card network's prefix (Visa, Mastercard, Amex, Discover, JCB,
/// Diners, UnionPay, Maestro) that pass the Luhn check and are not one repeated digit.
fn is_card_number(text: &str) -> bool {
    let d: String = text.chars().filter(char::is_ascii_digit).collect();
    if !(13..=19).contains(&d.len()) || d.bytes().all(|b| Some(&b) == d.as_bytes().first()) {
        return false;
    }
    let prefix = |n: usize| d[..n].parse::<u32>().unwrap_or(0);
    let network = d.starts_with('4')
        || (51..=55).contains(&prefix(2))
        || (2221..=2720).contains(&prefix(4))
        || matches!(prefix(2), 34 | 37 | 36 | 38 | 62 | 65)
        || prefix(4) == 6011
        || (3528..=3589).contains(&prefix(4))
        || (300..=305).contains(&prefix(3))
        || matches!(prefix(2), 50 | 56..=58 | 63 | 67);
    network && luhn::valid(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_orders_randomness() {
        assert_eq!(entropy(b""), 0.0);
        assert_eq!(entropy(b"aaaaaaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!(entropy(b"q8Zt3vLm0PxR7wKc") > 3.5);
        assert!(entropy(b"hellohello12") < 3.5);
    }

    #[test]
    fn cards_need_a_network_and_luhn() {
        for (number, ok) in [
            ("4111 1111 1111 1111", true),
            ("5555-5555-5555-4444", true),
            ("378282246310005", true),
            ("4111 1111 1111 1112", false),
            ("1234 5678 9012 3452", false),
            ("0000 0000 0000 0000", false),
        ] {
            assert_eq!(is_card_number(number), ok, "{number}");
        }
    }

    #[test]
    fn ibans_are_checked_by_country_and_mod_97() {
        let iban = |v: &'static str| {
            let c = Candidate {
                value: v.as_bytes(),
                ..Candidate::default()
            };
            passes(Check::Iban, &c)
        };
        assert!(iban("DE89 3704 0044 0532 0130 00"));
        assert!(iban("GB82WEST12345698765432"));
        assert!(!iban("DE88 3704 0044 0532 0130 00"));
        assert!(!iban("AB12 CDEF GHIJ KLMN"));
    }

    #[test]
    fn identifiers_are_code_and_random_values_are_not() {
        for (v, code) in [
            ("nl80211_auth_type", true),
            ("DOT11_WPS_CONFIG_METHOD_KEYPAD", true),
            ("sqlite3KeyInfoOfIndex", true),
            ("D3DKMT_PRESENTHISTORYTOKEN_0", true),
            ("q8Zt3vLm0PxR7wKcYh2N", false),
            ("4/EPZGz3zBXCOArr/SfiJvo58JB0W", false),
            ("Tr0ub4dor3xQ9vBm", false),
        ] {
            assert_eq!(is_identifier(v), code, "{v}");
        }
    }

    #[test]
    fn phones_need_e164_digits() {
        assert!(is_phone("+49 30 1234 5678"));
        assert!(is_phone("(415) 555-0134"));
        assert!(!is_phone("+1 2"));
        assert!(!is_phone("+49  30 1234 5678"));
        assert!(!is_phone("+1234567890123456789"));
    }

    #[test]
    fn assigned_values_must_look_random() {
        let cases: &[(&str, &str, bool)] = &[
            ("api_key", "q8Zt3vLm0PxR7wKcYh2N", true),
            ("DB_PASSWORD", "Tr0ub4dor&3xQ9", false), // `&` ends the value early: too short
            ("db_password", "Tr0ub4dor3xQ9vBm", true),
            ("key", "Ab3dE5fG7hI9", false), // 12 characters: too short to tell from an id
            ("api_key", "settings.api_key", false),
            ("api_key", "YOUR_API_KEY_HERE", false),
            ("token", "abcdefghijklmnop", false),
            ("key_path", "q8Zt3vLm0PxR7wKcYh2N", false),
            ("secret", "/etc/ssl/private/x.pem", false),
            ("token_budget", "q8Zt3vLm0PxR7wKcYh2N", false),
        ];
        for (name, value, want) in cases {
            let v = value.split('&').next().unwrap_or(value);
            let c = Candidate {
                name: name.as_bytes(),
                value: v.as_bytes(),
                ..Candidate::default()
            };
            assert_eq!(passes(Check::AssignedValue, &c), *want, "{name} = {value}");
        }
    }

    #[test]
    fn reserved_domains_are_nobody_s_address() {
        assert!(is_personal_email("jane.doe@acme-mail.de"));
        assert!(!is_personal_email("someone@example.com"));
        assert!(!is_personal_email("a@mail.example.org"));
        assert!(!is_personal_email("user@host.test"));
        assert!(!is_personal_email("git@github.com"));
        assert!(!is_personal_email("logo@2x.png"));
    }
}
