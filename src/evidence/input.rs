//! Reading what a verifier is handed, defensively: regular files only, bounded in size, and
//! JSON with duplicate keys refused (serde_json would silently keep the last one, so the bytes
//! a human reads and the bytes that were hashed could disagree).

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest pack `verify` reads (SPEC §9).
pub const PACK_CAP: Limit = Limit(64 * 1024 * 1024);

/// A size limit in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Limit(pub u64);

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("not a regular file ({0}); refused")]
    NotRegular(&'static str),
    #[error("larger than the {} MiB limit; refused", .0 / (1024 * 1024))]
    TooBig(u64),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Open `path` for reading only if it is (or a symlink resolves to) a regular file. Opening is
/// non-blocking, so a FIFO cannot hang the caller before it is refused.
pub fn open_regular(path: &Path) -> Result<(File, u64), InputError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    let t = meta.file_type();
    let kind = if t.is_file() {
        return Ok((file, meta.len()));
    } else if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Err(InputError::NotRegular(kind))
}

/// The whole of a regular file of at most `limit` bytes.
pub fn read_regular(path: &Path, limit: Limit) -> Result<Vec<u8>, InputError> {
    let (file, len) = open_regular(path)?;
    if len > limit.0 {
        return Err(InputError::TooBig(limit.0));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow after fstat: read one byte past the limit to notice.
    file.take(limit.0.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.0 {
        return Err(InputError::TooBig(limit.0));
    }
    Ok(bytes)
}

/// Parse JSON like `serde_json::from_slice::<Value>`, but refuse an object with the same key
/// twice, naming the key.
pub fn parse_json_strict(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A pack read from disk the way a verifier reads it: its bytes, its JSON, and its typed form.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    pub bytes: Vec<u8>,
    pub value: Value,
    pub pack: super::EvidencePack,
}

/// Read a pack file: a regular file of at most 64 MiB, JSON without duplicate keys, a pack.
pub fn load_pack(path: &Path) -> Result<LoadedPack, super::EvidenceError> {
    let unreadable = |message: String| super::EvidenceError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let bytes = read_regular(path, PACK_CAP).map_err(|e| unreadable(e.to_string()))?;
    let value = parse_json_strict(&bytes).map_err(|e| unreadable(format!("not JSON: {e}")))?;
    let pack = serde_json::from_value(value.clone())
        .map_err(|e| unreadable(format!("not a forge evidence pack: {e}")))?;
    Ok(LoadedPack { bytes, value, pack })
}

/// A `Value` seed whose maps reject repeated keys.
#[derive(Clone, Copy)]
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let v = map.next_value_seed(StrictValue)?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for (json, dup) in [
            (r#"{"a":1,"a":2}"#, Some("a")),
            (r#"{"x":{"s":"converged","s":"stagnated"}}"#, Some("s")),
            (r#"[{"k":1},{"k":2,"k":3}]"#, Some("k")),
            (r#"{"a":1,"b":{"a":2}}"#, None),
            (r#"{"\u0061":1,"a":2}"#, Some("a")),
        ] {
            match (parse_json_strict(json.as_bytes()), dup) {
                (Ok(v), None) => assert_eq!(v, serde_json::from_str::<Value>(json).unwrap()),
                (Err(e), Some(k)) => {
                    assert!(
                        e.to_string().contains(&format!("duplicate key `{k}`")),
                        "{e}"
                    )
                }
                (r, d) => panic!("{json}: {r:?}, expected duplicate {d:?}"),
            }
        }
    }

    #[test]
    fn same_values_as_serde_json() {
        let json = r#"{"n":[1,-2,3.5,1e300,18446744073709551615],"s":"é\n","t":true,"z":null}"#;
        assert_eq!(
            parse_json_strict(json.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(json).unwrap()
        );
        assert!(parse_json_strict(b"{} trailing").is_err());
        assert!(parse_json_strict(b"{\"a\":").is_err());
    }

    #[test]
    fn special_files_and_big_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert!(matches!(
            read_regular(&fifo, Limit(10)),
            Err(InputError::NotRegular("a FIFO"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), Limit(10)),
            Err(InputError::NotRegular("a character device"))
        ));
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_regular(&link, Limit(10)),
            Err(InputError::NotRegular(_))
        ));
        assert!(matches!(
            read_regular(dir.path(), Limit(10)),
            Err(InputError::NotRegular("a folder"))
        ));
        let big = dir.path().join("big");
        std::fs::write(&big, [b'x'; 11]).unwrap();
        assert!(matches!(
            read_regular(&big, Limit(10)),
            Err(InputError::TooBig(10))
        ));
        assert_eq!(read_regular(&big, Limit(11)).unwrap().len(), 11);
    }
}
