//! `forge serve` and `forge serve token create|list|revoke`.

use super::args::{ServeArgs, ServeCommand, TokenCommand};
use crate::error::Error;
use crate::serve::{JwtVerifier, Quotas, ServeConfig, Store, state_dir};

pub fn run(g: &super::Global, a: ServeArgs) -> Result<u8, Error> {
    let state = state_dir(a.state.as_deref())?;
    match a.command {
        Some(ServeCommand::Token(t)) => token(g, &Store::open(&state)?, t),
        None => {
            let roots = if g.roots.is_empty() {
                vec![super::project::root(g)?]
            } else {
                g.roots.clone()
            };
            let jwt = match (&a.jwks, &a.issuer, &a.audience) {
                (Some(path), Some(iss), Some(aud)) => Some(JwtVerifier::load(path, iss, aud)?),
                _ => None,
            };
            let config = ServeConfig {
                listen: a.listen,
                roots,
                max_concurrent: a.max_concurrent,
                state_dir: state,
                metrics_public: a.metrics_public,
                jwt,
            };
            super::runtime()?.block_on(crate::serve::serve(config))?;
            Ok(crate::error::exit::OK)
        }
    }
}

fn token(g: &super::Global, store: &Store, t: TokenCommand) -> Result<u8, Error> {
    match t {
        TokenCommand::Create {
            name,
            rate_per_minute,
            max_concurrent,
            daily_tokens,
        } => {
            let quotas = Quotas {
                rate_per_minute,
                max_concurrent,
                daily_tokens,
            };
            let secret = store.create_token(&name, quotas)?;
            if g.json {
                super::output::out_line(&format!(
                    "{}",
                    serde_json::json!({ "name": name, "token": secret })
                ))?;
            } else {
                super::output::out_line(&secret)?;
                if !g.quiet {
                    super::output::err_line(&format!(
                        "Token `{name}` created. It is shown only this once: forge keeps only its hash."
                    ));
                }
            }
        }
        TokenCommand::List => {
            let tokens = store.list_tokens(&crate::serve::utc_day())?;
            if g.json {
                let text = serde_json::to_string_pretty(&tokens)
                    .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
                super::output::out_line(&text)?;
            } else if tokens.is_empty() {
                if !g.quiet {
                    super::output::out_line(
                        "No tokens yet (create one with `forge serve token create NAME`).",
                    )?;
                }
            } else {
                super::output::out_line(&format!(
                    "{:<24} {:<26} {:>8} {:>10} {:>12} {:>12}",
                    "NAME", "CREATED", "RATE/MIN", "CONCURRENT", "TOKENS/DAY", "USED TODAY"
                ))?;
                let unlimited = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
                for t in tokens {
                    super::output::out_line(&format!(
                        "{:<24} {:<26} {:>8} {:>10} {:>12} {:>12}",
                        t.name,
                        t.created_at,
                        unlimited(t.quotas.rate_per_minute.map(|n| n.to_string())),
                        unlimited(t.quotas.max_concurrent.map(|n| n.to_string())),
                        unlimited(t.quotas.daily_tokens.map(|n| n.to_string())),
                        t.used_today
                    ))?;
                }
            }
        }
        TokenCommand::Revoke { name } => {
            store.revoke_token(&name)?;
            if !g.quiet {
                super::output::err_line(&format!("Token `{name}` revoked."));
            }
        }
    }
    Ok(crate::error::exit::OK)
}
