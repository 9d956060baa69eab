//! Request bodies: JSON only, at most 1 MiB, no unknown fields; each failure its own answer.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON body of type `T`, or the 400 / 413 that says what is wrong with it.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !json_type {
            return Err(ApiError::bad_request(
                "bad_json",
                "expected a JSON body with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!(
                        "the body is over the limit of {} bytes",
                        super::router::BODY_LIMIT
                    ),
                )
            } else {
                ApiError::bad_request("bad_body", format!("cannot read the body: {e}"))
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        let code = match e.classify() {
            Category::Data => "bad_request",
            Category::Syntax | Category::Eof | Category::Io => "bad_json",
        };
        ApiError::bad_request(code, format!("request body: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        contract: String,
    }

    #[test]
    fn names_what_is_wrong_and_where() {
        for (input, code, says) in [
            (&b"{\"contract\": "[..], "bad_json", "EOF while parsing"),
            (b"{\"contract\": 1}", "bad_request", "invalid type: integer"),
            (
                b"{\"contract\": \"a\", \"contrakt\": 1}",
                "bad_request",
                "unknown field `contrakt`",
            ),
            (b"{}", "bad_request", "missing field `contract`"),
            (b"\n\n  [", "bad_json", "line 3 column 3"),
        ] {
            let e = parse::<Body>(input).unwrap_err();
            assert_eq!(e.code, code, "{}", e.message);
            assert!(e.message.contains(says), "{}", e.message);
        }
    }
}
