//! The patterns, one per kind, borrowed from what gitleaks (config/gitleaks.toml) and
//! detect-secrets document, written for `regex::bytes` with ASCII classes so that the whole set
//! runs as one lazy DFA. A group named `v` is the value (masked, checked); without it the whole
//! match is. A group named `n` is the name a value is assigned to.

use super::kind::Kind;

/// What must hold besides the pattern before a match is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// AWS documents `AKIAIOSFODNN7EXAMPLE`; gitleaks allows keys ending in EXAMPLE.
    NotExample,
    /// Credentials in a URL whose password is not a placeholder.
    UrlPassword,
    /// A key-like name, a value that is not a word, a placeholder or low in entropy.
    AssignedValue,
    /// Not a reserved domain (RFC 2606/6761), not `git@host`, not `icon@2x.png`.
    EmailAddress,
    /// 8 to 15 digits, as E.164 allows.
    PhoneDigits,
    /// Country format and mod-97 check digits.
    Iban,
    /// 13 to 19 digits, a card network's prefix, and the Luhn check.
    CardNumber,
}

pub struct Rule {
    pub kind: Kind,
    pub pattern: &'static str,
    pub check: Check,
}

/// Characters that may surround a token: the ASCII boundary of `regex` without Unicode tables.
macro_rules! b {
    () => {
        r"(?-u:\b)"
    };
}

pub const RULES: &[Rule] = &[
    Rule {
        kind: Kind::PrivateKey,
        pattern: r"(?s)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
        check: Check::None,
    },
    Rule {
        kind: Kind::OpenaiKey,
        pattern: concat!(
            b!(),
            r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})"
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::AnthropicKey,
        pattern: concat!(b!(), r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,120}"),
        check: Check::None,
    },
    Rule {
        kind: Kind::AwsAccessKey,
        pattern: concat!(
            b!(),
            r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
            b!()
        ),
        check: Check::NotExample,
    },
    Rule {
        kind: Kind::GithubToken,
        pattern: concat!(
            b!(),
            r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})",
            b!()
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::GitlabToken,
        pattern: concat!(
            b!(),
            r"(?:gl(?:pat|dt|rt|soat|ft|oas|agent|imt|ffct)-[A-Za-z0-9_-]{20,300}|glptt-[0-9a-f]{40}|glcbt-[A-Za-z0-9]{1,5}_[A-Za-z0-9_-]{20})"
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::SlackToken,
        pattern: concat!(
            b!(),
            r"(?:xox[abeoprs]-[0-9A-Za-z-]{10,250}|xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+)"
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::SlackWebhook,
        pattern: r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}",
        check: Check::None,
    },
    Rule {
        kind: Kind::GoogleKey,
        pattern: concat!(b!(), r"(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28})"),
        check: Check::None,
    },
    Rule {
        kind: Kind::StripeKey,
        pattern: concat!(
            b!(),
            r"(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}",
            b!()
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::Jwt,
        pattern: concat!(
            b!(),
            r"ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
        ),
        check: Check::None,
    },
    Rule {
        kind: Kind::UrlCredentials,
        pattern: r"[A-Za-z][A-Za-z0-9+.-]{1,20}://[A-Za-z0-9._~%!$&*+,;=-]{1,100}:(?P<v>[A-Za-z0-9._~%!$&*+,;=-]{3,100})@[A-Za-z0-9.-]+",
        check: Check::UrlPassword,
    },
    Rule {
        kind: Kind::AssignedSecret,
        pattern: concat!(
            r"(?P<n>[A-Za-z0-9_.-]{0,40}(?i:key|secret|token|passw(?:or)?d|pwd|credential|creds|auth)[A-Za-z0-9_.-]{0,20})",
            r#"['"]?[ \t]{0,3}(?:=|:=|:|=>|\?=)[ \t]{0,3}(?:[A-Za-z]?['"`])?"#,
            r"(?P<v>[A-Za-z0-9+/=_.~-]{12,150})"
        ),
        check: Check::AssignedValue,
    },
    Rule {
        kind: Kind::Email,
        pattern: concat!(
            b!(),
            r"[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}",
            b!()
        ),
        check: Check::EmailAddress,
    },
    Rule {
        kind: Kind::Phone,
        pattern: r"(?:^|[^A-Za-z0-9.+/_=-])(?P<v>\+[1-9][0-9]{0,2}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,4}|\([0-9]{3}\)[ .-]?[0-9]{3}[ .-][0-9]{4})(?-u:\b)",
        check: Check::PhoneDigits,
    },
    Rule {
        kind: Kind::Iban,
        pattern: concat!(
            b!(),
            r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?",
            b!()
        ),
        check: Check::Iban,
    },
    Rule {
        kind: Kind::CardNumber,
        pattern: concat!(
            b!(),
            r"(?:[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}|[0-9]{4}[ -]?[0-9]{6}[ -]?[0-9]{5})",
            b!()
        ),
        check: Check::CardNumber,
    },
];
