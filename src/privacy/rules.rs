//! The patterns, one per kind, borrowed from what gitleaks (config/gitleaks.toml) and
//! detect-secrets document, written for `regex::bytes` with ASCII classes and without bounded
//! repetitions such as `{0,100}` (they multiply lazy-DFA states: the first version of these
//! rules scanned at 1 MB/s). A group named `v` is the value (masked, checked); without it the
//! whole match is. A group named `n` is the key-like word a value is assigned to.

use super::kind::Kind;

/// What must hold besides the pattern before a match is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// AWS documents `AKIAIOSFODNN7EXAMPLE`; gitleaks allows keys ending in EXAMPLE.
    NotExample,
    /// A private key block with a body (64+ characters between the markers).
    KeyBlock,
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

/// How the detector finds out whether a rule can match a text at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstPass {
    /// The pattern starts with (or holds) a literal such as `ghp_`: the regex engine's own
    /// literal prefilter skips to candidates faster than any shared pass.
    Literal,
    /// No literal to skip to (digits, letters): these rules share one `RegexSet` pass.
    Set,
}

pub struct Rule {
    pub kind: Kind,
    pub pattern: &'static str,
    pub check: Check,
    pub first_pass: FirstPass,
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
        pattern: r"(?s)-----BEGIN[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----.+?-----END[ A-Z0-9_-]*PRIVATE KEY(?: BLOCK)?-----",
        check: Check::KeyBlock,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::OpenaiKey,
        pattern: concat!(
            b!(),
            r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})"
        ),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::AnthropicKey,
        pattern: concat!(b!(), r"sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,}"),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::AwsAccessKey,
        pattern: concat!(
            b!(),
            r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
            b!()
        ),
        check: Check::NotExample,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::GithubToken,
        pattern: concat!(
            b!(),
            r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})",
            b!()
        ),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::GitlabToken,
        pattern: concat!(
            b!(),
            r"(?:gl(?:pat|dt|rt|soat|ft|oas|agent|imt|ffct)-[A-Za-z0-9_-]{20,}|glptt-[0-9a-f]{40}|glcbt-[A-Za-z0-9]{1,5}_[A-Za-z0-9_-]{20})"
        ),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::SlackToken,
        pattern: concat!(
            b!(),
            r"(?:xox[abeoprs]-[0-9A-Za-z-]{10,}|xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+)"
        ),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::SlackWebhook,
        pattern: r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,}",
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::GoogleKey,
        pattern: concat!(b!(), r"(?:AIza[0-9A-Za-z_-]{35}|GOCSPX-[0-9A-Za-z_-]{28})"),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::StripeKey,
        pattern: concat!(b!(), r"(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,}", b!()),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::Jwt,
        pattern: concat!(
            b!(),
            r"ey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
        ),
        check: Check::None,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::UrlCredentials,
        pattern: r"://[A-Za-z0-9._~%!$&*+,;=-]+:(?P<v>[A-Za-z0-9._~%!$&*+,;=-]{3,})@(?P<host>[A-Za-z0-9.-]+)",
        check: Check::UrlPassword,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::AssignedSecret,
        // Lower, Capitalised and UPPER spellings as literals (not `(?i)`), so the engine can
        // skip to them; the rest of the name is read backwards by the check.
        pattern: concat!(
            r"(?P<n>(?:key|Key|KEY|secret|Secret|SECRET|token|Token|TOKEN|passwd|Passwd|PASSWD|password|Password|PASSWORD|pwd|Pwd|PWD|credential|Credential|CREDENTIAL|creds|Creds|CREDS|auth|Auth|AUTH)[A-Za-z0-9_.-]*)",
            r#"['"]?[ \t]*(?:=|:=|:|=>|\?=)[ \t]*(?:[A-Za-z]?['"`])?"#,
            r"(?P<v>[A-Za-z0-9+/_.~-][A-Za-z0-9+/=_.~-]{15,})(?P<after>\(|\[|<|::)?"
        ),
        check: Check::AssignedValue,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::Email,
        pattern: concat!(
            b!(),
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            b!()
        ),
        check: Check::EmailAddress,
        first_pass: FirstPass::Literal,
    },
    Rule {
        kind: Kind::Phone,
        pattern: r"(?:^|[^A-Za-z0-9.+/_=-])(?P<v>\+[1-9][0-9 ().-]{6,22}[0-9]|\([0-9]{3}\)[ .-]?[0-9]{3}[ .-][0-9]{4})(?-u:\b)",
        check: Check::PhoneDigits,
        first_pass: FirstPass::Set,
    },
    Rule {
        kind: Kind::Iban,
        pattern: concat!(
            b!(),
            r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?",
            b!()
        ),
        check: Check::Iban,
        first_pass: FirstPass::Set,
    },
    Rule {
        kind: Kind::CardNumber,
        pattern: concat!(
            b!(),
            r"(?:[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}|[0-9]{4}[ -]?[0-9]{6}[ -]?[0-9]{5})",
            b!()
        ),
        check: Check::CardNumber,
        first_pass: FirstPass::Set,
    },
];
