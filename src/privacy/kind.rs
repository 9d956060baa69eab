//! What a finding is: its kind (`github_token`, `email`, ...) and whether that is a secret or
//! personal data, the two families a contract sets a mode for.

use serde::{Deserialize, Serialize};

/// Secrets and personal data have separate modes (`privacy.secrets`, `privacy.pii`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Secret,
    Pii,
}

/// Every kind of value the detector knows, named as `forge scan` prints it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PrivateKey,
    OpenaiKey,
    AnthropicKey,
    AwsAccessKey,
    GithubToken,
    GitlabToken,
    SlackToken,
    SlackWebhook,
    GoogleKey,
    StripeKey,
    Jwt,
    UrlCredentials,
    /// A high-entropy value assigned to a key-like name (`api_key = "..."`).
    AssignedSecret,
    Email,
    Phone,
    Iban,
    CardNumber,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PrivateKey => "private_key",
            Kind::OpenaiKey => "openai_key",
            Kind::AnthropicKey => "anthropic_key",
            Kind::AwsAccessKey => "aws_access_key",
            Kind::GithubToken => "github_token",
            Kind::GitlabToken => "gitlab_token",
            Kind::SlackToken => "slack_token",
            Kind::SlackWebhook => "slack_webhook",
            Kind::GoogleKey => "google_key",
            Kind::StripeKey => "stripe_key",
            Kind::Jwt => "jwt",
            Kind::UrlCredentials => "url_credentials",
            Kind::AssignedSecret => "assigned_secret",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Iban => "iban",
            Kind::CardNumber => "card_number",
        }
    }

    pub fn category(self) -> Category {
        match self {
            Kind::Email | Kind::Phone | Kind::Iban | Kind::CardNumber => Category::Pii,
            _ => Category::Secret,
        }
    }

    /// When two findings overlap, the more specific kind wins: a JWT assigned to `token =` is
    /// reported as a JWT, not as an assigned secret.
    pub(crate) fn specificity(self) -> u8 {
        match self {
            Kind::AssignedSecret => 0,
            Kind::Email | Kind::Phone => 1,
            Kind::UrlCredentials => 2,
            _ => 3,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
