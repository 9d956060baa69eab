//! The bytes that are hashed and signed: the pack without `integrity`, in JCS (RFC 8785) form.
//!
//! Both signing and verifying go through `serde_json::Value`, so a field the typed pack does not
//! know (added by hand after signing) is still covered by the hash.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub type HmacSha256 = Hmac<Sha256>;

/// The name written into `integrity.canonicalization`.
pub const CANONICALIZATION: &str = "JCS (RFC 8785)";

/// RFC 8785 canonical JSON of any value.
pub fn canonical(value: &Value) -> Result<Vec<u8>, serde_json::Error> {
    serde_jcs::to_vec(value)
}

/// Canonical JSON of a pack with its `integrity` member left out: what is hashed and signed.
pub fn signed_bytes(pack: &Value) -> Result<Vec<u8>, serde_json::Error> {
    match pack {
        Value::Object(map) => {
            let mut without = map.clone();
            without.remove("integrity");
            canonical(&Value::Object(without))
        }
        other => canonical(other),
    }
}

pub use crate::sha::sha256_hex;

/// A MAC keyed with `key`, ready for `update`.
pub fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so new_from_slice cannot fail here; fall back to an
    // all-zero-key MAC only to avoid a panic path.
    HmacSha256::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jcs(json: &str) -> String {
        let v: Value = serde_json::from_str(json).unwrap();
        String::from_utf8(canonical(&v).unwrap()).unwrap()
    }

    /// RFC 8785 §3.2.2: whitespace, literals, number forms and string escaping.
    #[test]
    fn rfc8785_sample_input() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(jcs(input), expected);
    }

    /// RFC 8785 §3.2.3: properties sorted by UTF-16 code units, not by UTF-8 bytes or chars
    /// (the emoji's surrogate pair sorts before U+FB33).
    #[test]
    fn rfc8785_key_order_is_utf16() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
            \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
            \"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(jcs(input), expected);
    }

    /// RFC 8785 Appendix B: ECMAScript number serialization.
    #[test]
    fn rfc8785_numbers() {
        let cases: [(u64, &str); 10] = [
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x444b_1ae4_d6e2_ef50, "1e+21"),
            (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
        ];
        for (bits, want) in cases {
            let v = serde_json::json!(f64::from_bits(bits));
            assert_eq!(
                String::from_utf8(canonical(&v).unwrap()).unwrap(),
                want,
                "{bits:#x}"
            );
        }
        assert_eq!(jcs("[1.0, 0.85, -0.0, 100]"), "[1,0.85,0,100]");
    }

    #[test]
    fn integrity_is_left_out_and_layout_does_not_matter() {
        let a = r#"{"b": 1, "integrity": {"sha256": "x"}, "a": [1, 2]}"#;
        let b = "{\n    \"a\": [\n 1,\n 2\n],\n \"b\": 1.0\n}";
        let va: Value = serde_json::from_str(a).unwrap();
        let vb: Value = serde_json::from_str(b).unwrap();
        assert_eq!(signed_bytes(&va).unwrap(), b"{\"a\":[1,2],\"b\":1}");
        assert_eq!(signed_bytes(&va).unwrap(), signed_bytes(&vb).unwrap());
    }
}
