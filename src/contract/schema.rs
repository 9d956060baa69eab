//! The contract's JSON Schema (draft 2020-12), generated from the same serde types the loader
//! parses into, for editors such as yaml-language-server.

use super::raw::RawContract;
use schemars::generate::SchemaSettings;

/// The JSON Schema of a version 1 Answer Contract.
pub fn json_schema() -> serde_json::Value {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<RawContract>();
    schema.to_value()
}
