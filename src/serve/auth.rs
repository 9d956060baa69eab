//! Who is calling: a bearer token from `forge serve token create`, or (with `--jwks`) a JWT
//! signed by one of the JWKS's keys, checked for signature, exp, nbf, iss and aud.

use super::error::{ApiError, ServeError};
use super::store::{Quotas, Store};
use axum::http::{HeaderMap, header};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::path::Path;

/// The authenticated caller of a request: its name (the token's, or the JWT's `sub`) and quotas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub quotas: Quotas,
}

/// The keys and claims a JWT bearer must match.
pub struct JwtVerifier {
    keys: Vec<(Option<String>, Algorithm, DecodingKey)>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("keys", &self.keys.len())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

#[derive(serde::Deserialize)]
struct Claims {
    sub: Option<String>,
}

impl JwtVerifier {
    /// Load the RSA and P-256 keys of the JWKS in `path`.
    pub fn load(path: &Path, issuer: &str, audience: &str) -> Result<JwtVerifier, ServeError> {
        let err = |message: String| ServeError::Jwks {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let set: JwkSet =
            serde_json::from_str(&text).map_err(|e| err(format!("not a JWKS: {e}")))?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let alg = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                // Only RS256 and ES256 are accepted; other keys in a shared JWKS are ignored.
                _ => continue,
            };
            let key = DecodingKey::from_jwk(jwk)
                .map_err(|e| err(format!("key {:?}: {e}", jwk.common.key_id)))?;
            keys.push((jwk.common.key_id.clone(), alg, key));
        }
        if keys.is_empty() {
            return Err(err("holds no RSA or EC P-256 key".to_string()));
        }
        Ok(JwtVerifier {
            keys,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        })
    }

    /// The `sub` of a valid JWT, or why it is not valid.
    fn subject(&self, jwt: &str) -> Result<String, String> {
        let header =
            jsonwebtoken::decode_header(jwt).map_err(|e| format!("not a readable JWT: {e}"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(format!(
                "{:?} JWTs are not accepted (RS256 or ES256)",
                header.alg
            ));
        }
        let candidates = self.keys.iter().filter(|(kid, alg, _)| {
            *alg == header.alg && (header.kid.is_none() || *kid == header.kid)
        });
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let mut last = "no key of the JWKS matches its `kid` and `alg`".to_string();
        for (_, _, key) in candidates {
            match jsonwebtoken::decode::<Claims>(jwt, key, &validation) {
                Ok(data) => {
                    return data
                        .claims
                        .sub
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| "the JWT has no `sub`".to_string());
                }
                Err(e) => last = e.to_string(),
            }
        }
        Err(last)
    }
}

/// Find the caller of a request, or the 401 that says why there is none. `query` is the raw
/// query string: a token there is refused (it would end up in logs and browser history).
pub fn authenticate(
    headers: &HeaderMap,
    query: Option<&str>,
    store: &Store,
    jwt: Option<&JwtVerifier>,
) -> Result<Caller, ApiError> {
    let value = headers.get(header::AUTHORIZATION);
    if value.is_none() && query.is_some_and(has_token_param) {
        return Err(ApiError::unauthorized(
            "a token in the query string is refused: send it as `Authorization: Bearer TOKEN`",
        ));
    }
    let Some(value) = value else {
        return Err(ApiError::unauthorized(
            "missing `Authorization: Bearer TOKEN` (create one with `forge serve token create`)",
        ));
    };
    let bearer = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header is not `Bearer TOKEN`"))?;
    let internal = |e: ServeError| ApiError::internal(e.to_string());
    if let Some((name, quotas)) = store.authenticate(bearer).map_err(internal)? {
        return Ok(Caller { name, quotas });
    }
    if let Some(jwt) = jwt.filter(|_| bearer.split('.').count() == 3) {
        let name = jwt
            .subject(bearer)
            .map_err(|why| ApiError::unauthorized(format!("JWT refused: {why}")))?;
        let quotas = store
            .quotas_of(&name)
            .map_err(internal)?
            .unwrap_or_default();
        return Ok(Caller { name, quotas });
    }
    Err(ApiError::unauthorized(
        "unknown or revoked token (see `forge serve token list`)",
    ))
}

fn has_token_param(query: &str) -> bool {
    query.split('&').any(|pair| {
        let key = pair.split('=').next().unwrap_or("");
        matches!(
            key.to_ascii_lowercase().as_str(),
            "token" | "access_token" | "api_key" | "apikey" | "bearer" | "auth"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_tokens_in_query_strings() {
        for (q, yes) in [
            ("token=abc", true),
            ("format=md&access_token=x", true),
            ("Token=x", true),
            ("format=md", false),
            ("tokens_used=3", false),
        ] {
            assert_eq!(has_token_param(q), yes, "{q}");
        }
    }
}
