//! Every unknown key in a contract, not only the first one serde stops at: the document is read
//! again as a tree of located keys and walked against the contract's JSON Schema, so the key
//! names have one source (the document types) and a typo list is complete.

use super::Diagnostic;
use super::raw::At;
use super::yaml_error::suggest;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// A YAML node, keeping only what the walk needs: mapping keys with their positions.
enum Node {
    Map(Vec<(At<String>, Node)>),
    Seq(Vec<Node>),
    Scalar,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Scalar)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<At<String>>()? {
            entries.push((key, map.next_value::<Node>()?));
        }
        Ok(Node::Map(entries))
    }
}

/// Every unknown key in `text`, in document order; None if it cannot be read as a tree (the
/// caller then keeps the parser's own diagnostic).
pub fn diagnostics(text: &str, schema: &Value) -> Option<Vec<Diagnostic>> {
    let root: Node = serde_saphyr::from_str(text).ok()?;
    let mut out = Vec::new();
    walk(&root, schema, schema, &mut out);
    out.sort_by_key(|d| (d.line, d.column));
    Some(out)
}

fn walk(node: &Node, schema: &Value, root: &Value, out: &mut Vec<Diagnostic>) {
    let schema = resolve(schema, root);
    match node {
        Node::Map(entries) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            let names: Vec<&str> = props.keys().map(String::as_str).collect();
            for (key, child) in entries {
                match props.get(&key.value) {
                    Some(s) => walk(child, s, root, out),
                    None if closed => out.push(Diagnostic {
                        line: key.line,
                        column: key.column,
                        message: format!("unknown key `{}`", key.value),
                        help: Some(suggest(&key.value, &names)),
                    }),
                    None => {}
                }
            }
        }
        Node::Seq(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    walk(item, item_schema, root, out);
                }
            }
        }
        Node::Scalar => {}
    }
}

/// Follow `$ref` into `$defs`, and through `anyOf` (an optional value) to the mapping or list
/// alternative.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        if let Some(def) = root.get("$defs").and_then(|d| d.get(name)) {
            return resolve(def, root);
        }
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        if let Some(shaped) = options
            .iter()
            .map(|o| resolve(o, root))
            .find(|o| o.get("properties").is_some() || o.get("items").is_some())
        {
            return shaped;
        }
    }
    schema
}
