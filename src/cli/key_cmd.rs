//! `forge key generate`.
use super::args::KeyCommand;
use crate::error::{Error, exit};
use crate::evidence::signing_key;

pub fn run(g: &super::Global, a: KeyCommand) -> Result<u8, Error> {
    match a {
        KeyCommand::Generate { out } => {
            let dir = match out {
                Some(d) => d,
                None => signing_key::default_dir()?,
            };
            let key = signing_key::generate(&dir)?;
            if g.json {
                let v = serde_json::json!({
                    "key_id": key.key_id,
                    "private_key": key.private.display().to_string(),
                    "public_key": key.public.display().to_string(),
                });
                println!("{v}");
            } else if !g.quiet {
                println!("wrote {} (private, mode 0600)", key.private.display());
                println!("wrote {} (public: publish this one)", key.public.display());
                println!("key id {}", key.key_id);
            }
            Ok(exit::OK)
        }
    }
}
