//! Which failures are worth another attempt, and how long to wait before it.

use super::wire::ProviderError;
use super::{ClientOptions, LlmError};
use std::time::{Duration, SystemTime};

/// How one attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth another attempt, after `retry_after` when the provider asked for one.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help; the error says what to check.
    Fatal(LlmError),
}

/// What a failure message needs to say where to look.
pub(crate) struct CallContext<'a> {
    pub provider: &'static str,
    pub model: &'a str,
    pub url: &'a str,
    /// The key's environment variable, or what to check when the provider takes no key.
    pub key_check: String,
}

/// Classify a non-2xx answer. `body` must already have the key scrubbed out.
pub(crate) fn classify_status(
    ctx: &CallContext<'_>,
    status: u16,
    retry_after: Option<Duration>,
    body: &str,
) -> Failure {
    let err = super::wire::error_in_body(body);
    let detail = err.describe();
    let provider = ctx.provider;
    let spent = super::Usage::default();
    match status {
        429 if is_out_of_credit(&err) => Failure::Fatal(LlmError::Quota {
            provider,
            detail,
            spent,
            attempts: 1,
        }),
        408 | 409 | 429 | 500..=599 => Failure::Transient {
            reason: format!("HTTP {status}: {detail}"),
            retry_after,
        },
        401 | 403 => Failure::Fatal(LlmError::Auth {
            provider,
            status,
            check: ctx.key_check.clone(),
            detail,
            spent,
            attempts: 1,
        }),
        404 => Failure::Fatal(LlmError::NotFound {
            provider,
            target: format!("model `{}` at {}", ctx.model, ctx.url),
            detail,
            spent,
            attempts: 1,
        }),
        413 => Failure::Fatal(LlmError::BadRequest {
            provider,
            status,
            detail: format!(
                "the request is too large for the provider (shorten the context): {detail}"
            ),
            spent,
            attempts: 1,
        }),
        _ => Failure::Fatal(LlmError::BadRequest {
            provider,
            status,
            detail,
            spent,
            attempts: 1,
        }),
    }
}

/// An error object inside a 200 answer: transient ones are retried like a 5xx.
pub(crate) fn classify_in_band(ctx: &CallContext<'_>, err: ProviderError) -> Failure {
    let provider = ctx.provider;
    let spent = super::Usage::default();
    if is_out_of_credit(&err) {
        Failure::Fatal(LlmError::Quota {
            provider,
            detail: err.describe(),
            spent,
            attempts: 1,
        })
    } else if err.is_transient() {
        Failure::Transient {
            reason: format!("error inside the answer: {}", err.describe()),
            retry_after: None,
        }
    } else {
        Failure::Fatal(LlmError::BadRequest {
            provider,
            status: 200,
            detail: err.describe(),
            spent,
            attempts: 1,
        })
    }
}

/// OpenAI's `insufficient_quota` and Anthropic's credit-balance / spend-limit refusals come
/// as 429s, but waiting does not fix billing.
fn is_out_of_credit(err: &ProviderError) -> bool {
    let m = err.message.to_ascii_lowercase();
    err.is_kind("insufficient_quota")
        || m.contains("credit balance")
        || m.contains("spend limit")
        || m.contains("insufficient_quota")
}

/// `retry-after-ms`, else `retry-after` (seconds or an HTTP date), as a wait from `now`.
pub(crate) fn retry_after(
    headers: &reqwest::header::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    // try_from: a header such as `retry-after: 1e300` must not overflow Duration (a panic);
    // an absurd wait is capped by the caller like any long one.
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        if ms.is_finite() && ms >= 0.0 {
            return Some(Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX));
        }
    }
    let v = get("retry-after")?;
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The wait before attempt `failed + 1`: the provider's `retry-after` capped, else full-jitter
/// exponential backoff (uniform in 0..=min(max, base * 2^(failed-1))).
pub(crate) fn wait_before_next(
    opts: &ClientOptions,
    failed: u32,
    retry_after: Option<Duration>,
) -> Duration {
    if let Some(d) = retry_after {
        return d.min(opts.retry_after_cap);
    }
    let factor = 2u32.saturating_pow(failed.saturating_sub(1));
    let ceiling = opts
        .backoff_base
        .saturating_mul(factor)
        .min(opts.backoff_max);
    let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::random_range(0..=ms))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn ctx() -> CallContext<'static> {
        CallContext {
            provider: "openai",
            model: "m",
            url: "http://x/chat/completions",
            key_check: "OPENAI_API_KEY".into(),
        }
    }

    #[test]
    fn statuses_split_into_retried_and_fatal() {
        for s in [408, 409, 429, 500, 502, 503, 529] {
            assert!(
                matches!(
                    classify_status(&ctx(), s, None, ""),
                    Failure::Transient { .. }
                ),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 413, 422] {
            assert!(
                matches!(classify_status(&ctx(), s, None, ""), Failure::Fatal(_)),
                "{s}"
            );
        }
        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert!(matches!(
            classify_status(&ctx(), 429, None, quota),
            Failure::Fatal(LlmError::Quota { .. })
        ));
        let spend = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Your credit balance is too low"}}"#;
        assert!(matches!(
            classify_status(&ctx(), 429, None, spend),
            Failure::Fatal(LlmError::Quota { .. })
        ));
        let Failure::Fatal(auth) = classify_status(&ctx(), 401, None, "") else {
            panic!()
        };
        assert!(auth.to_string().contains("OPENAI_API_KEY"), "{auth}");
    }

    #[test]
    fn retry_after_in_ms_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(150)));
        let mut d = HeaderMap::new();
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        d.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&d, now), Some(Duration::from_secs(30)));
        d.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&d, now), None);
        // Absurd waits do not overflow; the caller caps them.
        d.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&d, now), Some(Duration::MAX));
        d.insert("retry-after-ms", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&d, now), Some(Duration::MAX));
    }

    #[test]
    fn backoff_is_capped_and_retry_after_too() {
        let opts = ClientOptions {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(250),
            retry_after_cap: Duration::from_secs(1),
            ..ClientOptions::default()
        };
        for failed in 1..10 {
            assert!(wait_before_next(&opts, failed, None) <= Duration::from_millis(250));
        }
        assert!(wait_before_next(&opts, 1, None) <= Duration::from_millis(100));
        assert_eq!(
            wait_before_next(&opts, 1, Some(Duration::from_secs(90))),
            Duration::from_secs(1)
        );
    }
}
