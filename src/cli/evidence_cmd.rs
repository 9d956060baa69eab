//! `forge evidence show|export|verify`.
use super::args::EvidenceCommand;
use crate::error::Error;

pub fn run(_g: &super::Global, _a: EvidenceCommand) -> Result<u8, Error> {
    todo!("forge evidence")
}
